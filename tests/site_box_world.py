"""Site boxes as real processes, for the tests of issue 18 (tests/integration/test_site_box_processes.py,
and its long tier tests/long/test_site_box_long_outage.py): an upstream on PostgreSQL and two site boxes
on SQLite, each a real ``luot serve``, with a real TCP proxy between the Cát Bà box and the upstream; the
intake points as their staff use them; and the checks made once the link is back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from flask import Flask

from server.domain.access import DeviceKind, Role
from server.services.accounts import auth as auth_service
from server.services.site_boxes import links
from tests.conftest import PASSWORD
from tests.realtime_client import Listener
from tests.servers import ServerProcess
from tests.tcp_proxy import TcpProxy
from tests.waiting import wait_until

SECRET = "site-box-test-secret-0123456789abcdef"
COMMON = {"LUOT_ENV": "test", "LUOT_SECRET_KEY": SECRET, "LUOT_RATE_LIMITS": "off"}


class Site:
    """One intake point as its staff and the tests see it: its box, its kiosk, its clerk."""

    def __init__(self, code: str, site_id: int, box: ServerProcess, kiosk: str, clerk: str) -> None:
        self.code = code
        self.id = site_id
        self.box = box
        self.kiosk = {"Authorization": f"Bearer {kiosk}"}
        self.clerk_name = clerk
        self.clerk: dict[str, str] = {}
        self.counter = 0
        self.service = 0

    def sign_in(self) -> None:
        self.clerk = login(self.box.url, self.clerk_name)
        services = requests.get(f"{self.box.url}/api/v1/sites/{self.id}/services", timeout=30).json()
        self.service = services[0]["id"]
        counters = requests.get(
            f"{self.box.url}/api/v1/sites/{self.id}/counters", headers=self.clerk, timeout=30
        )
        self.counter = counters.json()[0]["id"]
        opened = requests.post(
            f"{self.box.url}/api/v1/counters/{self.counter}/open", json={}, headers=self.clerk, timeout=30
        )
        assert opened.status_code == 200, opened.text

    def issue(self, count: int) -> None:
        for _ in range(count):
            answer = requests.post(
                f"{self.box.url}/api/v1/sites/{self.id}/tickets",
                json={"service_id": self.service},
                headers=self.kiosk,
                timeout=30,
            )
            assert answer.status_code == 201, answer.text

    def serve(self, count: int) -> None:
        for _ in range(count):
            url = self.box.url
            called = requests.post(
                f"{url}/api/v1/counters/{self.counter}/call-next", json={}, headers=self.clerk, timeout=30
            )
            assert called.status_code == 200, called.text
            ticket = called.json()["id"]
            for action in ("start", "complete"):
                answer = requests.post(
                    f"{url}/api/v1/tickets/{ticket}/{action}", json={}, headers=self.clerk, timeout=30
                )
                assert answer.status_code == 200, answer.text

    def sync(self) -> dict[str, Any]:
        """The box's own view of its link (``GET /api/v1/sites/{id}/sync`` on the box)."""
        answer = requests.get(
            f"{self.box.url}/api/v1/sites/{self.id}/sync", headers=login(self.box.url, "admin"), timeout=30
        )
        assert answer.status_code == 200, answer.text
        return dict(answer.json())


@dataclass
class Morning:
    """The upstream (Cát Bà's commune server), the proxy of the island box's link, and both intake points."""

    upstream: ServerProcess
    proxy: TcpProxy
    cat_ba: Site  # behind the proxy
    cat_hai: Site  # straight to the upstream
    tokens: dict[str, str]

    @property
    def sites(self) -> tuple[Site, Site]:
        return (self.cat_ba, self.cat_hai)

    def display(self, delay_max: float = 1) -> Listener:
        """A display of Cát Bà connected to the upstream, coming back by itself after a cut."""
        auth = {"token": self.tokens["CB-display"], "site_id": self.cat_ba.id}
        return Listener(self.upstream.url, auth, reconnect=True, delay_max=delay_max)


def start_morning(
    make_app: Callable[..., Flask],
    postgres_url: str,
    tmp_path: Path,
    servers: list[ServerProcess],
    box_env: dict[str, str] | None = None,
) -> Morning:
    """Set the upstream up (an admin, a clerk per site, a kiosk and a display per site, a site-box link per
    site), serve it, then start both boxes (``box_env`` added to their environment), their clerks signed
    in."""
    setup = make_app(postgres_url, LUOT_INSTANCE_PATH=str(tmp_path / "setup"), SECRET_KEY=SECRET)
    luot = setup.extensions["luot"]
    for username, role, sites in (
        ("admin", Role.ADMIN, []),
        ("clerk-cb", Role.CLERK, ["CB"]),
        ("clerk-ch", Role.CLERK, ["CH"]),
    ):
        auth_service.add_user(
            luot.uow(),
            luot.hasher,
            username=username,
            password=PASSWORD,
            role=role,
            site_codes=sites,
            at=luot.now(),
        )
    tokens: dict[str, str] = {}
    ids: dict[str, int] = {}
    for code in ("CB", "CH"):
        for kind in (DeviceKind.KIOSK, DeviceKind.DISPLAY):
            _info, tokens[f"{code}-{kind.value}"] = auth_service.add_device(
                luot.uow(),
                site_code=code,
                kind=kind,
                name=f"{kind.value} {code}",
                printer_uri=None,
                at=luot.now(),
            )
        link = links.add_link(luot.uow(), code, luot.now())
        tokens[f"{code}-box"], ids[code] = link.token, link.site_id
    luot.close()

    upstream = ServerProcess(
        {**COMMON, "LUOT_DATABASE_URL": postgres_url, "LUOT_INSTANCE_PATH": str(tmp_path / "upstream")},
        log=tmp_path / "upstream.log",
    )
    servers.append(upstream.start())
    proxy = TcpProxy(upstream.port).start()

    def box(code: str, upstream_url: str) -> ServerProcess:
        folder = tmp_path / code
        folder.mkdir()
        return ServerProcess(
            {
                **COMMON,
                **(box_env or {}),
                "LUOT_INSTANCE_PATH": str(folder),
                "LUOT_DATABASE_URL": f"sqlite:///{folder / 'luot.sqlite3'}",
                "LUOT_UPSTREAM_URL": upstream_url,
                "LUOT_UPSTREAM_TOKEN": tokens[f"{code}-box"],
            },
            log=tmp_path / f"{code}.log",
        )

    cat_ba = Site("CB", ids["CB"], box("CB", proxy.url), tokens["CB-kiosk"], "clerk-cb")
    cat_hai = Site("CH", ids["CH"], box("CH", upstream.url), tokens["CH-kiosk"], "clerk-ch")
    for site in (cat_ba, cat_hai):
        servers.append(site.box.start())
        site.sign_in()
    return Morning(upstream, proxy, cat_ba, cat_hai, tokens)


def without_clock(stats: dict[str, Any]) -> dict[str, Any]:
    """The statistics without today's time accounting, whose open parts (idle, on duty) count up to the
    moment of the request: two servers asked a second apart read them a second apart."""
    for group in ("by_counter", "by_clerk"):
        for row in stats.get(group, []):
            row.pop("time", None)
    return stats


def views(url: str, site_id: int, headers: dict[str, str]) -> dict[str, Any]:
    """What a manager and the screens read about a site (waits without the parts that age by the second)."""
    get = lambda path, **kw: requests.get(f"{url}/api/v1/sites/{site_id}/{path}", timeout=30, **kw)  # noqa: E731
    return {
        "stats": without_clock(get("stats", headers=headers).json()),
        "wait": [(w["service_id"], w["waiting"]) for w in get("wait").json()],
        "queue": [
            {k: v for k, v in t.items() if k != "waited_s"} for t in get("queue", headers=headers).json()
        ],
        "log": get("tickets.csv", headers=headers).text,
    }


def login(url: str, username: str) -> dict[str, str]:
    answer = requests.post(
        f"{url}/api/v1/auth/login", json={"username": username, "password": PASSWORD}, timeout=30
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def assert_caught_up(morning: Morning, within: float = 10) -> dict[str, str]:
    """Within ``within`` seconds the upstream reads, for each site, what its box reads (stats JSON, waits,
    queue, ticket log) and its sync route says nothing is behind; returns the upstream's admin headers."""
    upstream = morning.upstream.url
    admin = login(upstream, "admin")
    for site in morning.sites:
        local = views(site.box.url, site.id, login(site.box.url, "admin"))
        caught_up = lambda site=site, local=local: views(upstream, site.id, admin) == local  # noqa: E731
        try:
            wait_until(caught_up, f"{site.code} caught up", within)
        except AssertionError:
            assert views(upstream, site.id, admin) == local  # shows what differs
            raise
        sync = requests.get(f"{upstream}/api/v1/sites/{site.id}/sync", headers=admin, timeout=30).json()
        assert sync["mode"] == "site_box"
        assert sync["box_seq"] == sync["upstream_seq"] and sync["behind"] == 0
    return admin


def assert_display_in_order(morning: Morning, display: Listener, admin: dict[str, str]) -> list[int]:
    """The display on the upstream received the site's last event, and a gap-free sequence of ``seq``s
    (each once) or a fresh snapshot after each gap; returns the snapshots' ``seq``s."""
    site_id = morning.cat_ba.id
    url = f"{morning.upstream.url}/api/v1/sites/{site_id}/sync"
    final = requests.get(url, headers=admin, timeout=30).json()
    try:
        wait_until(
            lambda: any(data.get("seq") == final["upstream_seq"] for _name, data in list(display.history)),
            "the display received the last event",
            10,
        )
    except AssertionError as exc:  # what it did receive, to tell a lost event from a lost connection
        seen = [(name, data.get("seq")) for name, data in list(display.history)][-10:]
        raise AssertionError(
            f"{exc}; the site's last seq {final['upstream_seq']}, the display's last messages {seen}, "
            f"connected: {display.client.connected}"
        ) from None
    last = None
    snapshots: list[int] = []
    for name, data in list(display.history):
        if name == "snapshot":
            last = data["seq"]
            snapshots.append(last)
            continue
        if last is not None:
            assert data["seq"] == last + 1, f"gap or duplicate after seq {last}: {data['seq']}"
        last = data["seq"]
    return snapshots
