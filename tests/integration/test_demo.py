"""The demo: seeded ward, and the simulated day that makes the screens show life."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from server.app import create_app
from server.db.migrate import upgrade
from server.db.models import Counter, Site, Ticket
from server.demo import seed
from server.demo.simulate import DAY_START_H, Simulation
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
        simulation = Simulation(app, extension, speed=1200, seed=7)
        with app.app_context():
            simulation.open_counters()
            simulated = DAY_START_H * 3600
            for _ in range(12 * 60):  # the morning's first simulated hour, five seconds at a time
                simulated = simulation.advance(simulated, 5)
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
