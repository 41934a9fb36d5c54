"""The demo: seeded ward, and the simulated day that makes the screens show life."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import func, select

from server.app import create_app
from server.db.migrate import upgrade
from server.db.models import Counter, Site, Ticket
from server.demo import seed
from server.demo.simulate import Simulation
from tests.conftest import FAST_HASH


def test_simulated_day_issues_calls_and_completes_tickets_at_both_sites(tmp_path: Path) -> None:
    app = create_app(
        {
            "LUOT_INSTANCE_PATH": str(tmp_path),
            "LUOT_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
            "LUOT_PASSWORD_HASH": FAST_HASH,
        }
    )
    extension = app.extensions["luot"]
    try:
        upgrade(extension.database)
        credentials = seed.seed(app, extension)
        assert len(credentials["clerks"]) == 12
        simulation = Simulation(app, extension, speed=1200, seed=7)  # 20 simulated minutes per second
        thread = threading.Thread(target=simulation.run, daemon=True)
        thread.start()
        assert simulation.wait_until_played(2 * 3600, timeout=300)  # two simulated hours: the morning peak
        simulation.stop()
        thread.join(timeout=10)
        with extension.read() as session:
            rows = session.execute(select(Ticket.status, func.count()).group_by(Ticket.status))
            by_status = dict(rows.all())
            sites = {site_id for (site_id,) in session.execute(select(Ticket.site_id).distinct())}
            open_counters = session.scalar(
                select(func.count()).select_from(Counter).where(Counter.status == "open")
            )
            site_count = session.scalar(select(func.count()).select_from(Site))
        assert sum(by_status.values()) > 40
        assert by_status.get("done", 0) > 10
        assert sites == set(range(1, site_count + 1))
        assert open_counters == 12
    finally:
        extension.close()
