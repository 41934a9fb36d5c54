"""Who may do what, route by route: every ``/api/`` route of the app is called by every kind of caller, and
each is refused (401 without valid credentials, 403 outside its rights) or let through as :data:`RIGHTS`
says. Routes are read from the app's URL map, so a route added later fails this test until it is given
its rights here."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from server.db.models import ApiToken, Device
from server.services.accounts.auth import hash_token, new_token
from tests.booking import MONDAY_7AM, at, book, booking_config
from tests.conftest import PASSWORD, Clock, LiveServer, World
from tests.realtime_client import Listener, refused

# Who may call a route (besides an admin, who may call every route):
#   public      anyone, no token needed
#   any_token   any valid token (logout)
#   staff       any staff account (who-am-I)
#   device      any device token (its own record)
#   listen      staff of the site and the site's devices (kiosk or display)
#   issue       staff of the site and the site's kiosk
#   serve       staff (clerk or manager) of the site
#   manage      a manager of the site
#   rating_pad  only the rating pad of the counter that served the ticket (never staff, not even an admin)
#   site_box    only a site box, with its own token (not even an admin: tests/integration/test_site_boxes.py)
#   kiosk_agent only a kiosk's device token, for its own site (its print agent's leases and replays)
#   a_manager   any manager (each sees the accounts of their own sites only)
RIGHTS: dict[str, str] = {
    "public.health": "public",
    "public.sites": "public",
    "public.services": "public",
    "public.procedures": "public",
    "public.wait": "public",
    "public.ticket_status": "public",
    "api-docs.openapi_json": "public",
    "appointments.slots": "public",
    "appointments.slot_days": "public",
    "appointments.bookable_services": "public",
    "appointments.site_choices": "public",
    "appointments.book": "public",
    "appointments.appointment": "public",  # the private link's token, not a bearer token
    "appointments.appointment_ics": "public",
    "appointments.cancel": "public",
    "appointments.reschedule": "public",
    "enrolment.enrol": "public",  # the single-use enrolment code is the credential
    "auth.login": "public",
    "auth.logout": "any_token",
    "auth.me": "staff",
    "auth.device": "device",
    "staff.today": "serve",
    "tickets.issue": "issue",
    "appointments.check_in": "issue",
    "tickets.queue": "serve",
    "tickets.counters": "listen",
    "wall_display.notices": "listen",
    "wall_display.announcement": "listen",
    "wall_display.replace_notices": "manage",
    "wall_display.voice_clip": "public",
    "wall_display.ticket_reading": "public",
    "tickets.counter_open": "serve",
    "tickets.counter_pause": "serve",
    "tickets.counter_close": "serve",
    "tickets.counter_call_next": "serve",
    "tickets.ticket_call": "serve",
    "tickets.ticket_recall": "serve",
    "tickets.ticket_start": "serve",
    "tickets.ticket_complete": "serve",
    "tickets.ticket_no_show": "serve",
    "tickets.ticket_transfer": "serve",
    "tickets.ticket_cancel": "serve",
    "appointments.day_list": "serve",
    "appointments.slot_board": "manage",
    "appointments.appointment_day": "manage",
    "audit.audit": "manage",
    "audit.refusals": "manage",
    "appointments.close_slots": "manage",
    "appointments.open_slots": "manage",
    "printers.site_printers": "serve",
    "printers.reprint": "serve",
    "printers.set_device_printer": "manage",
    "printers.declared_printers": "manage",
    "stats.site_stats": "manage",
    "messages.site_messages": "manage",
    "remote.take": "public",
    "remote.arrive": "issue",
    "stats.site_stats_csv": "manage",
    "stats.site_ticket_log": "manage",
    "stats.commune_stats": "manage",
    "stats.commune_stats_csv": "manage",
    "stats.commune_ticket_log": "manage",
    "settings.settings": "manage",
    "settings.update_service": "manage",
    "settings.counter_services": "manage",
    "ratings.rate_by_phone": "public",  # the ticket's unguessable public code
    "ratings.phone_offer": "public",
    "ratings.rating_reasons": "public",
    "ratings.rate_by_pad": "rating_pad",
    "ratings.pad_state": "rating_pad",
    "ratings.my_ratings": "staff",
    "ratings.site_ratings": "manage",
    "ratings.site_ratings_csv": "manage",
    "ratings.commune_ratings": "manage",
    "ratings.commune_ratings_csv": "manage",
    "site_boxes.sync_status": "manage",
    "site_boxes.feed": "site_box",
    "site_boxes.hello": "site_box",
    "site_boxes.changes": "site_box",
    "site_boxes.elsewhere": "public",
    "kiosk_agent.leases": "kiosk_agent",
    "kiosk_agent.replay": "kiosk_agent",
    "staff_admin.accounts": "a_manager",
    "staff_admin.add_account": "manage",  # a clerk of CB
    "staff_admin.change_account": "manage",  # a new clerk of CB each time
    "staff_admin.disable_account": "manage",
    "staff_admin.enable_account": "manage",
    "staff_admin.site_devices": "manage",
    "staff_admin.revoke_device": "manage",  # a new kiosk of CB each time
    "staff_admin.issue_code": "manage",
}

# The callers, and the rights each has at site CB (Cát Bà).
CALLERS: dict[str, set[str]] = {
    "admin": {"public", "any_token", "staff", "listen", "issue", "serve", "manage", "a_manager"},
    "manager_of_site": {"public", "any_token", "staff", "listen", "issue", "serve", "manage", "a_manager"},
    "manager_of_other_commune": {"public", "any_token", "staff", "a_manager"},
    "clerk_of_site": {"public", "any_token", "staff", "listen", "issue", "serve"},
    "clerk_of_other_site": {"public", "any_token", "staff"},
    "kiosk": {"public", "any_token", "device", "listen", "issue", "kiosk_agent"},
    "kiosk_of_other_site": {"public", "any_token", "device", "kiosk_agent"},
    "display": {"public", "any_token", "device", "listen"},
    "no_token": {"public"},
    "garbage_token": {"public"},
    "revoked_staff_token": {"public"},
    "expired_staff_token": {"public"},
    "revoked_device": {"public"},
}
UNAUTHENTICATED = {
    "no_token",
    "garbage_token",
    "revoked_staff_token",
    "expired_staff_token",
    "revoked_device",
}

# A check-in at the wrong intake point of the same commune is a 409 that tells the citizen where to go.
SAME_COMMUNE_CHECK_IN = {"clerk_of_other_site", "kiosk_of_other_site"}

OTHER_COMMUNE = {
    "code": "27001",
    "name": "Phường Đông Hải",
    "province": "Thành phố Hải Phòng",
    "sites": [
        {
            "code": "DH",
            "name": "Trung tâm Phục vụ hành chính công - Đông Hải",
            "always_open": True,
            "services": [{"code": "HT", "name": "Hộ tịch", "prefix": "A"}],
            "counters": [{"code": "Q1", "number": 1, "name": "Quầy 1", "services": ["HT"]}],
        }
    ],
}


def api_routes(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, rule) of every route under /api/."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                found.append((rule.endpoint, method, rule.rule))
    return sorted(found)


@pytest.fixture
def scene(make_app: Callable[..., Flask], sqlite_url: str) -> dict[str, Any]:
    config = booking_config(bookable_share=1)
    config["communes"].append(copy.deepcopy(OTHER_COMMUNE))
    app = make_app(sqlite_url, config)
    clock = Clock(MONDAY_7AM)
    app.extensions["luot"].clock = clock
    world = World(app)

    def bearer(raw: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {raw}"}

    callers: dict[str, dict[str, str]] = {
        "admin": world.staff("admin", sites=()),
        "manager_of_site": world.staff("manager", sites=("CB",)),
        "manager_of_other_commune": world.staff("manager", sites=("DH",)),
        "clerk_of_site": world.staff("clerk", sites=("CB",)),
        "clerk_of_other_site": world.staff("clerk", sites=("CH",)),
        "kiosk": world.device("kiosk", site="CB"),
        "kiosk_of_other_site": world.device("kiosk", site="CH"),
        "display": world.device("display", site="CB"),
        "no_token": {},
        "garbage_token": bearer(new_token()),
    }
    world.staff("clerk", sites=("CB",), username="lan")
    revoked = world.staff("admin", sites=())
    assert world.client.post("/api/v1/auth/logout", headers=revoked).status_code == 204
    callers["revoked_staff_token"] = revoked

    luot = world.luot
    with luot.uow() as uow:
        admin_id = uow.session.scalar(sa.text("SELECT id FROM users WHERE role = 'admin' LIMIT 1"))
        expired = new_token()
        uow.session.add(
            ApiToken(
                token_hash=hash_token(expired),
                user_id=admin_id,
                created_at=clock() - timedelta(hours=13),
                expires_at=clock() - timedelta(hours=1),
            )
        )
        uow.commit()
    callers["expired_staff_token"] = bearer(expired)
    revoked_device = world.device("kiosk", site="CB")
    with luot.uow() as uow:
        newest = uow.session.scalars(sa.select(Device).order_by(Device.id.desc())).first()
        assert newest is not None
        newest.revoked_at = clock()
        uow.commit()
    callers["revoked_device"] = revoked_device

    site = world.site("CB")["id"]
    service = world.service("CB", "HT")["id"]
    with luot.uow() as uow:
        kiosk_id = uow.session.scalar(
            sa.select(Device.id).where(
                Device.site_id == site, Device.kind == "kiosk", Device.revoked_at.is_(None)
            )
        )
    return {
        "app": app,
        "world": world,
        "callers": callers,
        "site": site,
        "service": service,
        "counter": world.counter_id("CB", "Q1"),
        "kiosk_id": kiosk_id,
        "clock": clock,
        "issuer": world.device("kiosk", site="CB"),
    }


class Targets:
    """A new waiting ticket and a new appointment at CB for each call that acts on one, so that one caller's
    action does not change what the next one finds; free slots handed out one by one."""

    def __init__(self, scene: dict[str, Any]) -> None:
        self.scene = scene
        self.world: World = scene["world"]
        self._slots = self._free_slots()
        self._booked = 0
        self._shared: dict[str, Any] | None = None

    @staticmethod
    def _free_slots() -> Iterator[datetime]:
        for _place in range(2):  # two places in each of Monday's slots at CB
            for hour, minute in [(h, m) for h in range(8, 17) for m in range(0, 60, 10)]:
                if not 11 * 60 + 30 <= hour * 60 + minute < 13 * 60 + 30:
                    yield at(hour, minute)

    def slot(self) -> datetime:
        return next(self._slots)

    def ticket(self) -> int:
        return int(self.world.issue(self.scene["issuer"])["id"])

    def clerk(self) -> int:
        """A new clerk of CB, whom a manager may change, disable or enable."""
        self.world.staff("clerk", sites=("CB",))
        with self.world.luot.uow() as uow:
            return int(uow.session.scalar(sa.text("SELECT max(id) FROM users")))

    def kiosk(self) -> int:
        """A new kiosk of CB, which a manager may revoke."""
        self.world.device("kiosk", site="CB")
        with self.world.luot.uow() as uow:
            return int(uow.session.scalar(sa.select(sa.func.max(Device.id))))

    def username(self) -> str:
        self._booked += 1
        return f"new-clerk-{self._booked}"

    def appointment(self, shared: bool = False) -> dict[str, Any]:
        if shared and self._shared is not None:
            return self._shared
        self._booked += 1
        booked = book(self.world, self.slot(), phone=f"09{self._booked:08d}")
        if shared:
            self._shared = booked
        return booked


READ_ONLY_BY_CODE = {"appointments.appointment", "appointments.appointment_ics"}


def request_for(scene: dict[str, Any], endpoint: str, rule: str, targets: Targets) -> dict[str, Any]:
    """Path, query and a valid body for a route, so that only the caller's rights decide the answer."""
    commune = rule.startswith("/api/v1/communes/")
    if ":code>" in rule and not commune:
        appointment = targets.appointment(shared=endpoint in READ_ONLY_BY_CODE)
    else:
        appointment = {"code": "", "manage_token": ""}
    values = {
        "site_id": scene["site"],
        "counter_id": scene["counter"],
        "ticket_id": targets.ticket() if "ticket_id" in rule else 0,
        "code": "11914" if commune else appointment["code"],  # CB's commune
        "public_code": "x" * 20,
        "device_id": targets.kiosk() if endpoint == "staff_admin.revoke_device" else scene["kiosk_id"],
        "user_id": targets.clerk() if "user_id" in rule else 0,
        "service_id": scene["service"],
        "language": "vi",
        "name": "call",
    }
    token = appointment["manage_token"]
    path = re.sub(r"<(?:[^:>]+:)?([a-z_]+)>", lambda m: str(values[m.group(1)]), rule)
    start, end = at(10, 0).isoformat(), at(10, 20).isoformat()
    bodies: dict[str, Any] = {
        "auth.login": {"username": "lan", "password": PASSWORD},
        "ratings.rate_by_pad": {"score": 4},
        "ratings.rate_by_phone": {"score": 4},
        "appointments.book": {
            "site_id": scene["site"],
            "service_id": scene["service"],
            "start": "BOOK_SLOT",
            "name": "Trần Văn Nam",
            "phone": "0987654321",
        },
        "appointments.cancel": {"token": token},
        "appointments.reschedule": {"token": token, "start": "BOOK_SLOT"},
        "enrolment.enrol": {"code": "ABCD-EFGH"},
        "tickets.issue": {"service_id": scene["service"]},
        "kiosk_agent.replay": {
            "offline_id": "0b6f3c1e-1d2a-4c3b-9f4e-5a6b7c8d9e0f",
            "service_id": scene["service"],
            "sequence": 1,
            "public_code": "abcdefghijklmnop",
            "issued_at": "2026-01-05T08:00:00+07:00",
        },
        "remote.take": {"service_id": scene["service"], "phone": "0912000001"},
        "remote.arrive": {"public_code": "no-such-ticket"},
        "tickets.ticket_call": {"counter_id": scene["counter"]},
        "tickets.ticket_transfer": {"service_id": scene["service"], "reason": "test"},
        "wall_display.replace_notices": {"notices": [{"text": "Thông báo"}]},
        "appointments.close_slots": {"service_id": scene["service"], "start": start, "end": end},
        "appointments.open_slots": {"service_id": scene["service"], "start": start, "end": end},
        "printers.set_device_printer": {"printer_uri": "test://kiosk"},
        "settings.update_service": {"target_wait_minutes": 20},
        "settings.counter_services": {"service_ids": [scene["service"]]},
        "staff_admin.add_account": {
            "username": targets.username() if endpoint == "staff_admin.add_account" else "",
            "password": PASSWORD,
            "role": "clerk",
            "site_ids": [scene["site"]],
        },
        "staff_admin.change_account": {"role": "clerk", "site_ids": [scene["site"]], "display_name": "Lan"},
        "staff_admin.issue_code": {"kind": "kiosk", "name": "Kiosk 9"},
    }
    queries: dict[str, str] = {
        "appointments.slots": f"service_id={scene['service']}&date=2026-11-23",
        "appointments.slot_days": f"service_id={scene['service']}",
        "appointments.site_choices": "service_code=HT",
        "appointments.appointment": f"token={token}",
        "appointments.appointment_ics": f"token={token}",
        "wall_display.announcement": "number=A001&counter=1",
        "wall_display.ticket_reading": "number=A001",
        "staff.today": f"site_id={scene['site']}",
    }
    query = queries.get(endpoint)
    body = bodies.get(endpoint)
    if body is not None and body.get("start") == "BOOK_SLOT":
        body["start"] = targets.slot().isoformat()
    return {"path": f"{path}?{query}" if query else path, "json": body}


def test_every_api_route_has_its_rights_declared(app: Flask) -> None:
    routes = {endpoint for endpoint, _method, _rule in api_routes(app)}
    unclassified = sorted(routes - set(RIGHTS))
    assert not unclassified, f"give these routes their rights in RIGHTS: {unclassified}"
    gone = sorted(set(RIGHTS) - routes)
    assert not gone, f"these routes are no longer in the app: {gone}"


def test_each_role_and_device_kind_is_refused_outside_its_rights(scene: dict[str, Any]) -> None:
    app, world = scene["app"], scene["world"]
    client = world.client
    wrong: list[str] = []
    targets = Targets(scene)
    # Logout last: it revokes the caller's token.
    for endpoint, method, rule in sorted(api_routes(app), key=lambda route: route[0] == "auth.logout"):
        right = RIGHTS.get(endpoint)
        if right is None:
            continue  # reported by the test above
        for caller, rights in CALLERS.items():
            request = request_for(scene, endpoint, rule, targets)
            headers = scene["callers"][caller]
            response = client.open(request["path"], method=method, json=request["json"], headers=headers)
            status = response.status_code
            allowed = right in rights or (
                caller == "admin" and right not in ("device", "rating_pad", "site_box", "kiosk_agent")
            )
            if allowed:
                ok = status not in (401, 403) and status < 500
            elif caller in UNAUTHENTICATED:
                ok = status == 401
            elif endpoint == "appointments.check_in" and caller in SAME_COMMUNE_CHECK_IN:
                ok = status == 409 and response.json["error"]["code"] == "wrong_site"
            else:
                ok = status == 403
            if ok and status >= 400:
                body = response.get_json()
                ok = set(body) == {"error"} and bool(body["error"]["code"])
            if not ok:
                wrong.append(f"{method} {rule} as {caller}: {status} {response.get_data(as_text=True)[:120]}")
    assert not wrong, "\n".join(wrong)


def test_a_caller_without_a_valid_token_learns_nothing_from_validation(scene: dict[str, Any]) -> None:
    client = scene["world"].client
    for caller in sorted(UNAUTHENTICATED):
        response = client.post(
            f"/api/v1/sites/{scene['site']}/tickets",
            json={"service_id": "not a number", "priority": "vip"},
            headers=scene["callers"][caller],
        )
        assert response.status_code == 401, (caller, response.json)
        assert "details" not in response.json["error"]


def test_socket_io_lets_only_the_site_s_staff_and_devices_listen(scene: dict[str, Any]) -> None:
    server = LiveServer(scene["app"]).start()
    try:
        for caller, rights in CALLERS.items():
            headers = scene["callers"][caller]
            token = headers.get("Authorization", "Bearer ").split(" ", 1)[1]
            auth = {"token": token, "site_id": scene["site"]}
            if "listen" in rights or caller == "admin":
                listener = Listener(server.url, auth)
                try:
                    assert listener.next("snapshot")["site_id"] == scene["site"], caller
                finally:
                    listener.close()
            else:
                error = refused(server.url, auth)
                expected = "forbidden" if caller not in UNAUTHENTICATED else None
                assert expected is None or error["data"]["code"] == expected, (caller, error)
                assert caller not in UNAUTHENTICATED or error["data"]["code"] != "forbidden", (caller, error)
    finally:
        server.stop()
