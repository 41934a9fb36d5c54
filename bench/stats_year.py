"""A year of one busy site, then the time the manager's year report takes (SQLite and PostgreSQL).

Generates about 150,000 tickets with their events (issued, called, started, completed — or no-show or
cancelled) by bulk inserts, straight into a fresh database, then times ``stats.compute`` for the whole
year. The floor is a bare ``SELECT count(*)`` over the same events, measured in the same run.

    .venv/bin/python -m bench.stats_year [--tickets 150000] [--postgres URL] [--runs 5]

It also runs as part of ``python -m bench`` (part ``stats``).

PostgreSQL is used when ``--postgres`` or ``LUOT_TEST_POSTGRES_URL`` gives a server URL (a database is
created for the run and dropped after). Prints one JSON document.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from server.db.engine import Database
from server.db.migrate import upgrade
from server.db.models import Counter, Service, Site, Ticket, TicketEvent, User
from server.services import stats
from server.services.sites.config_file import load_config

from .common import fresh_database

LIMIT_S = 1.0
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
SERVICES = [
    ("HT", "Hộ tịch", "A", 8, 20),
    ("CT", "Chứng thực", "B", 5, 15),
    ("DD", "Đất đai", "C", 15, 30),
    ("KD", "Đăng ký kinh doanh", "D", 12, 30),
    ("XH", "Lao động - Thương binh - Xã hội", "E", 10, 20),
    ("TP", "Tư pháp", "F", 10, 20),
]
COUNTERS = 10
CONFIG: dict[str, Any] = {
    "communes": [
        {
            "code": "27127",
            "name": "Phường Kinh Bắc",
            "province": "Tỉnh Bắc Ninh",
            "sites": [
                {
                    "code": "KB",
                    "name": "Trung tâm Phục vụ hành chính công phường Kinh Bắc",
                    "always_open": True,
                    "services": [
                        {
                            "code": code,
                            "name": name,
                            "prefix": prefix,
                            "service_minutes": minutes,
                            "target_wait_minutes": target,
                        }
                        for code, name, prefix, minutes, target in SERVICES
                    ],
                    "counters": [
                        {
                            "code": f"Q{n}",
                            "number": n,
                            "name": f"Quầy {n}",
                            "services": [SERVICES[(n + k) % len(SERVICES)][0] for k in range(3)],
                        }
                        for n in range(1, COUNTERS + 1)
                    ],
                }
            ],
        }
    ]
}


def working_days(year: int) -> list[date]:
    day, days = date(year, 1, 1), []
    while day.year == year:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def generate(database: Database, tickets: int, year: int, seed: int = 8) -> dict[str, int]:
    """Bulk-insert a year of tickets and their events; returns the row counts."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    with database.write_session() as session:
        session.execute(
            sa.insert(User),
            [
                {
                    "username": f"clerk{n}",
                    "display_name": f"Cán bộ {n}",
                    "password_hash": "-",
                    "role": "clerk",
                    "active": True,
                    "failed_logins": 0,
                    "created_at": now,
                }
                for n in range(1, COUNTERS + 1)
            ],
        )
        session.commit()
        site = session.scalars(sa.select(Site)).one()
        services = session.scalars(sa.select(Service).order_by(Service.position)).all()
        counters = session.scalars(sa.select(Counter).order_by(Counter.number)).all()
        clerks = session.scalars(sa.select(User.id).order_by(User.id)).all()

    days = working_days(year)
    per_day = tickets // len(days) + 1
    ticket_rows: list[dict[str, Any]] = []
    event_rows: list[dict[str, Any]] = []
    ticket_id = 0

    def event(
        kind: str, at: datetime, status: str, service_id: int, counter: int | None, actor: int | None
    ) -> None:
        event_rows.append(
            {
                "ticket_id": ticket_id,
                "site_id": site.id,
                "kind": kind,
                "at": at,
                "status": status,
                "service_id": service_id,
                "counter_id": counter,
                "actor_id": actor,
                "device_id": None,
                "data": {},
            }
        )

    for day in days:
        opening = datetime(day.year, day.month, day.day, 7, 30, tzinfo=ZONE).astimezone(UTC)
        sequence = {s.id: s.start - 1 for s in services}
        for _ in range(per_day):
            if ticket_id >= tickets:
                break
            ticket_id += 1
            service = services[rng.randrange(len(services))]
            sequence[service.id] += 1
            issued = opening + timedelta(seconds=rng.randrange(9 * 3600))
            fate = rng.random()
            row: dict[str, Any] = {
                "id": ticket_id,
                "site_id": site.id,
                "service_id": service.id,
                "issued_service_id": service.id,
                "day": day,
                "sequence": sequence[service.id],
                "number": f"{service.prefix}{sequence[service.id]:03d}",
                "priority": "none",
                "public_code": uuid.uuid4().hex[:16],
                "issued_at": issued,
                "waiting_since": issued,
                "language": "vi",
                "call_count": 0,
                "version": 1,
            }
            event("issued", issued, "waiting", service.id, None, None)
            if fate < 0.03:
                row.update(status="cancelled", finished_at=issued + timedelta(minutes=5))
                event("cancelled", row["finished_at"], "cancelled", service.id, None, clerks[0])
                ticket_rows.append(row)
                continue
            n = rng.randrange(COUNTERS)
            counter, clerk = counters[n].id, clerks[n]
            wait = int(rng.expovariate(1 / (service.target_wait_minutes * 45)))
            called = issued + timedelta(seconds=wait)
            row.update(first_called_at=called, called_at=called, wait_s=wait, counter_id=counter)
            row.update(served_by_id=clerk, call_count=1, call_rule="longest_wait")
            event("called", called, "called", service.id, counter, clerk)
            if fate < 0.10:
                row.update(status="no_show", finished_at=called + timedelta(minutes=3))
                event("no_show", row["finished_at"], "no_show", service.id, counter, clerk)
            else:
                started = called + timedelta(seconds=rng.randrange(20, 90))
                service_s = int(rng.gammavariate(4, service.service_minutes * 15))
                finished = started + timedelta(seconds=service_s)
                row.update(status="done", started_at=started, finished_at=finished, service_s=service_s)
                event("started", started, "serving", service.id, counter, clerk)
                event("completed", finished, "done", service.id, counter, clerk)
            ticket_rows.append(row)

    if database.is_sqlite:
        _insert_sqlite(database, ticket_rows, event_rows)
    else:
        _copy(database, ticket_rows, event_rows)
    if database.is_sqlite:
        with database.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
    else:
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    return {"tickets": len(ticket_rows), "events": len(event_rows)}


def _sqlite_value(value: Any) -> Any:
    """What SQLAlchemy stores in SQLite: naive UTC text for instants, ISO dates, JSON text."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return json.dumps(value)
    return value


def _insert_sqlite(
    database: Database, ticket_rows: list[dict[str, Any]], event_rows: list[dict[str, Any]]
) -> None:
    """SQLite: one executemany per table on the driver's connection (the ORM's is much slower)."""
    connection = database.engine.raw_connection()
    try:
        cursor = connection.cursor()
        for table, rows in ((Ticket.__table__, ticket_rows), (TicketEvent.__table__, event_rows)):
            present = set().union(*(row.keys() for row in rows))
            columns = [c.name for c in table.columns if c.name in present]
            marks = ", ".join("?" for _ in columns)
            cursor.executemany(
                f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})",
                ([_sqlite_value(row.get(c)) for c in columns] for row in rows),
            )
        connection.commit()
    finally:
        connection.close()


def _copy(database: Database, ticket_rows: list[dict[str, Any]], event_rows: list[dict[str, Any]]) -> None:
    """PostgreSQL: COPY the rows in (bulk inserts of this size are slow through executemany)."""
    connection = database.engine.raw_connection()
    try:
        cursor = connection.cursor()
        for table, rows in ((Ticket.__table__, ticket_rows), (TicketEvent.__table__, event_rows)):
            present = set().union(*(row.keys() for row in rows))
            columns = [c.name for c in table.columns if c.name in present]
            statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
            with cursor.copy(statement) as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row([json.dumps(row[c]) if c == "data" else row.get(c) for c in columns])
        connection.commit()
    finally:
        connection.close()


def measure(database: Database, year: int, runs: int) -> dict[str, Any]:
    """Best and median of ``runs`` year reports, and of the floor (a bare count of the same events)."""
    with database.read_session() as session:
        site = session.scalars(sa.select(Site)).one()
        scope = stats.Scope((site,), date(year, 1, 1), date(year, 12, 31))
        start, end = scope.bounds()
        report_times, floor_times = [], []
        report: dict[str, Any] = {}
        for _ in range(runs):
            began = time.perf_counter()
            report = stats.compute(session, scope)
            report_times.append(time.perf_counter() - began)
            began = time.perf_counter()
            session.scalar(
                sa.select(sa.func.count())
                .select_from(TicketEvent)
                .where(TicketEvent.site_id == site.id, TicketEvent.at >= start, TicketEvent.at < end)
            )
            floor_times.append(time.perf_counter() - began)
    return {
        "year_stats_s": {
            "best": round(min(report_times), 4),
            "median": round(statistics.median(report_times), 4),
        },
        "floor_count_s": {
            "best": round(min(floor_times), 4),
            "median": round(statistics.median(floor_times), 4),
        },
        "under_limit": statistics.median(report_times) < LIMIT_S,
        "issued": report["issued"],
        "served": report["served"],
        "wait_s": report["wait_s"],
    }


def run(url: str, tickets: int, year: int, runs: int) -> dict[str, Any]:
    database = Database(url)
    try:
        upgrade(database)
        from server.db.uow import SqlUnitOfWork

        load_config(SqlUnitOfWork(database, lambda _events: None), CONFIG, datetime.now(UTC))
        began = time.perf_counter()
        rows = generate(database, tickets, year)
        generated_s = time.perf_counter() - began
        return {"rows": rows, "generate_s": round(generated_s, 1), **measure(database, year, runs)}
    finally:
        database.dispose()


def run_all(
    work: Path, postgres: str | None, tickets: int, year: int = 2026, runs: int = 5
) -> dict[str, Any]:
    """The year report on a fresh SQLite file and, when a server is given, a fresh PostgreSQL database."""
    result: dict[str, Any] = {"limit_s": LIMIT_S, "tickets": tickets}
    for engine in ("sqlite", "postgresql") if postgres else ("sqlite",):
        with fresh_database("sqlite" if engine == "sqlite" else "postgres", work, postgres) as url:
            result[engine] = run(url, tickets, year, runs)
    result["ok"] = all(result[db]["under_limit"] for db in ("sqlite", "postgresql") if db in result)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.stats_year", description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=150_000)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgres", default=os.environ.get("LUOT_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        result = run_all(Path(folder), args.postgres, args.tickets, args.year, args.runs)
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
