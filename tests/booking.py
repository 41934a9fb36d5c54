"""What the appointment tests share: a commune whose two intake points take bookings, a fixed Monday
morning, and a helper that books through the public API."""

from __future__ import annotations

import copy
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from tests.conftest import TEST_CONFIG, World

VN = ZoneInfo("Asia/Ho_Chi_Minh")
WEEKDAYS = {day: ["07:30-11:30", "13:30-17:00"] for day in ("mon", "tue", "wed", "thu", "fri")}
MONDAY_7AM = datetime(2026, 11, 23, 7, 0, tzinfo=VN)


def booking_config(**booking: Any) -> dict[str, Any]:
    """TEST_CONFIG with civil status (HT) bookable at both sites of Cát Hải, on weekday hours.

    At CB two counters serve HT, so with the default half share each 10-minute slot holds one booking;
    CH's one counter is wholly bookable.
    """
    config = copy.deepcopy(TEST_CONFIG)
    cat_ba, cat_hai = config["communes"][0]["sites"]
    for site in (cat_ba, cat_hai):
        site["hours"] = WEEKDAYS
        site["booking"] = {"notice_minutes": 60, "horizon_days": 14, **booking}
        site["services"][0]["appointments"] = True
    cat_hai["address"] = "Xã Cát Hải, đảo Cát Hải"
    cat_hai["booking"]["bookable_share"] = 1  # its one counter takes one booking per slot
    return config


def at(hour: int, minute: int = 0, day: datetime = MONDAY_7AM) -> datetime:
    return datetime.combine(day.date(), time(hour, minute), tzinfo=VN)


def book(
    world: World,
    start: datetime,
    *,
    phone: str = "0912345678",
    name: str = "Nguyễn Thị Hoa",
    site: str = "CB",
    service: str = "HT",
    expect: int = 201,
    **extra: Any,
) -> dict[str, Any]:
    response = world.client.post(
        "/api/v1/appointments",
        json={
            "site_id": world.site(site)["id"],
            "service_id": world.service(site, service)["id"],
            "start": start.isoformat(),
            "name": name,
            "phone": phone,
            **extra,
        },
    )
    assert response.status_code == expect, response.json
    return dict(response.json)
