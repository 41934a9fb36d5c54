"""The kiosk agent's journal: the numbers it hands out from its leases, across restarts of the agent."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from printers.offline import Journal, KioskProxy, OfflineDesk, Upstream


def answer(day: str, *blocks: tuple[int, int]) -> dict[str, Any]:
    service = {"service_id": 7, "name": "Hộ tịch", "name_en": "", "prefix": "A", "digits": 3}
    return {
        "site_id": 1,
        "day": day,
        "size": 3,
        "services": [{**service, "blocks": [{"first": f, "last": la} for f, la in blocks]}],
        "site": "Cát Bà",
        "commune": "",
        "timezone": "Asia/Ho_Chi_Minh",
        "footer": "",
        "status_base": "http://10.0.0.2:5000",
    }


def take(journal: Journal, day: str) -> int | None:
    def record(sequence: int) -> dict[str, Any]:
        return {
            "offline_id": f"id-{day}-{sequence}",
            "issued_at": f"{day}T08:00:{sequence:02}",
            "request": {},
        }

    body = journal.take_number(day, 7, record)
    return None if body is None else int(body["offline_id"].rsplit("-", 1)[1])


def test_numbers_run_through_the_blocks_and_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    journal = Journal(path)
    journal.store_leases(answer("2026-12-02", (1, 3)))
    assert [take(journal, "2026-12-02") for _ in range(2)] == [1, 2]
    journal.close()

    journal = Journal(path)  # the agent was killed and started again
    journal.store_leases(answer("2026-12-02", (1, 3), (7, 9)))  # renewed: the server issued 4–6 itself
    assert [take(journal, "2026-12-02") for _ in range(5)] == [3, 7, 8, 9, None]  # then used up
    assert [t["offline_id"] for t in journal.pending()][:2] == ["id-2026-12-02-1", "id-2026-12-02-2"]
    assert journal.used("2026-12-02") == {7: 9}


def test_a_new_day_drops_the_old_leases_and_the_replayed_tickets(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.sqlite3")
    journal.store_leases(answer("2026-12-02", (1, 3)))
    assert take(journal, "2026-12-02") == 1
    journal.replayed("id-2026-12-02-1", datetime(2026, 12, 2, 9, tzinfo=UTC), "recorded")
    assert take(journal, "2026-12-02") == 2  # not replayed yet: kept across the day's end
    journal.store_leases(answer("2026-12-03", (1, 3)))
    assert take(journal, "2026-12-02") is None  # yesterday's lease is gone
    assert take(journal, "2026-12-03") == 1
    assert [t["offline_id"] for t in journal.pending()] == ["id-2026-12-02-2", "id-2026-12-03-1"]


def test_a_service_whose_lease_is_used_up_says_so_while_the_others_still_issue(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on: the server is down
        probe.bind(("127.0.0.1", 0))
        down = probe.getsockname()[1]
    journal = Journal(tmp_path / "journal.sqlite3")
    lease = answer("", (1, 1))
    other = {**lease["services"][0], "service_id": 8, "prefix": "B", "blocks": [{"first": 1, "last": 3}]}
    lease["services"].append(other)
    lease["day"] = OfflineDesk._today(lease)  # today, at the site
    journal.store_leases(lease)
    desk = OfflineDesk(journal, lambda _paper: True)  # printed
    proxy = KioskProxy(Upstream.of(f"http://127.0.0.1:{down}"), desk, 0, on_reachable=lambda _up: None)
    proxy.start()

    def take_ticket(service_id: int) -> tuple[int, dict[str, Any]]:
        url = f"http://127.0.0.1:{proxy.port}/api/v1/sites/1/tickets"
        answered = requests.post(url, json={"service_id": service_id}, timeout=10)
        return answered.status_code, answered.json()

    try:
        assert take_ticket(7)[0] == 201  # its one number
        status, body = take_ticket(7)
        assert (status, body["error"]["code"]) == (409, "offline_used_up")  # said, not an outage screen
        assert "hết số" in body["error"]["message"] and "no numbers left" in body["error"]["message"]
        assert take_ticket(8)[0] == 201  # the other service still issues
    finally:
        proxy.stop()
        journal.close()
