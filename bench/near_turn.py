"""The near-turn estimate's error on the demo's simulated day.

The demo ward is seeded, and its simulated day (server/demo/simulate.py: 500–700 visitors over two
intake points, 40 % leaving a phone number) is played from 07:30 to 17:00 on a controlled clock, the
scheduler's near-turn round running every ``--step`` simulated seconds. For every ``near`` message the
error is the ticket's first call minus the time the message promised (from the ticket history), per
site and overall: p50 and p90 in seconds, and the share called within ±5 minutes of the promise.

``python -m bench.near_turn [--seed 7] [--step 10]`` prints JSON.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from server.app import create_app
from server.db.migrate import upgrade
from server.db.models import Site, Ticket, TicketMessage
from server.demo import seed
from server.demo.simulate import DAY_END_H, DAY_START_H, Simulation
from server.services.near_turn.messages import queue_due
from server.services.near_turn.views import estimate_error, nearest_rank

# A Wednesday; the demo's sites open at 07:30 (00:30 UTC).
DAY = datetime(2026, 11, 25, 0, 30, tzinfo=UTC)


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def run(work: Path, seed_value: int = 7, step_s: float = 10) -> dict[str, Any]:
    app = create_app(
        {
            "LUOT_INSTANCE_PATH": str(work),
            "LUOT_DATABASE_URL": f"sqlite:///{work / 'demo.sqlite3'}",
            "LUOT_PASSWORD_HASH": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
            "LUOT_SCHEDULER": "off",
        }
    )
    extension = app.extensions["luot"]
    clock = Clock(DAY)
    extension.clock = clock
    try:
        upgrade(extension.database)
        seed.seed(app, extension)
        simulation = Simulation(app, extension, speed=1, seed=seed_value)
        with app.app_context():
            simulation.open_counters()
            simulated = DAY_START_H * 3600
            while simulated + step_s < DAY_END_H * 3600:
                clock.now += timedelta(seconds=step_s)
                simulated = simulation.advance(simulated, step_s)
                queue_due(extension.uow(), clock.now)
        start, end = DAY, DAY + timedelta(hours=DAY_END_H - DAY_START_H)
        with extension.read() as session:
            report: dict[str, Any] = {"seed": seed_value, "step_s": step_s, "sites": {}}
            all_errors: list[int] = []
            for site in session.scalars(select(Site)):
                figures = estimate_error(session, site.id, start, end + timedelta(hours=1))
                tickets = session.scalar(
                    select(func.count()).select_from(Ticket).where(Ticket.site_id == site.id)
                )
                messages = dict(
                    session.execute(
                        select(TicketMessage.kind, func.count())
                        .where(TicketMessage.site_id == site.id)
                        .group_by(TicketMessage.kind)
                    ).all()
                )
                errors = _errors(session, site.id)
                all_errors += errors
                report["sites"][site.code] = {
                    "tickets": tickets,
                    "messages": messages,
                    **figures,
                    "within_5_min_pct": _within(errors, 300),
                }
            report["overall"] = {
                "n": len(all_errors),
                "p50": nearest_rank(all_errors, 50),
                "p90": nearest_rank(all_errors, 90),
                "abs_p50": nearest_rank([abs(e) for e in all_errors], 50),
                "abs_p90": nearest_rank([abs(e) for e in all_errors], 90),
                "within_5_min_pct": _within(all_errors, 300),
            }
        return report
    finally:
        extension.close()


def _errors(session: Any, site_id: int) -> list[int]:
    rows = session.execute(
        select(TicketMessage.promised_at, Ticket.first_called_at)
        .join(Ticket, Ticket.id == TicketMessage.ticket_id)
        .where(
            TicketMessage.site_id == site_id,
            TicketMessage.kind == "near",
            TicketMessage.promised_at.is_not(None),
            Ticket.first_called_at.is_not(None),
        )
    ).all()
    return [int((called - promised).total_seconds()) for promised, called in rows]


def _within(errors: list[int], seconds: int) -> float | None:
    return round(100 * sum(abs(e) <= seconds for e in errors) / len(errors), 1) if errors else None


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.near_turn", description=__doc__)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--step", type=float, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        print(json.dumps(run(Path(work), args.seed, args.step), indent=2, default=str))


if __name__ == "__main__":
    main()
