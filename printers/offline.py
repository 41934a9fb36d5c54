"""A kiosk that keeps issuing through an outage of its server (docs/kiosk-offline.md).

The kiosk agent serves the kiosk page itself on the kiosk PC (``http://localhost:PORT``, a secure context
for the browser) and passes every request through to the server (:class:`KioskProxy`). While the server
answers, the agent keeps, per open service, a **lease** of today's ticket numbers that the server will
never issue itself (``POST /api/v1/kiosk-agent/leases``), and remembers the pages and answers the kiosk
last read. When the server does not answer a ticket request within 2 s, the agent issues the next number
of its lease, prints it on the local printer with a line saying it was issued offline, and writes it to
its :class:`Journal` (SQLite, ``synchronous=FULL``: on disk before the citizen sees it). When the server
answers again it sends the journal, oldest first (``POST /api/v1/kiosk-agent/tickets``); the server
records each ticket once.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import re
import secrets
import socket
import sqlite3
import ssl
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from server.domain.numbering import format_number
from server.domain.printing import TicketPaper

log = logging.getLogger(__name__)

ANSWER_WITHIN_S = 2.0  # a server slower than this is treated as down for a ticket
LONG_POLL_S = 70.0  # Socket.IO's polling transport holds a request this long at most
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
}
ISSUE_PATH = re.compile(r"^/api/v1/sites/(\d+)/tickets$")
QR_PATH = re.compile(r"^/t/([A-Za-z0-9_-]{1,64})/qr\.svg$")


class Journal:
    """The agent's durable state: its leases, the tickets it issued offline (until the server has them,
    and a day after), and the last answers of the server the kiosk page needs to start."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=DELETE")
        self._db.execute("PRAGMA synchronous=FULL")  # each commit is fsync'd
        self._db.executescript(
            """
            CREATE TABLE IF NOT EXISTS leases (
                day TEXT NOT NULL, service_id INTEGER NOT NULL, first INTEGER NOT NULL, last INTEGER NOT NULL,
                PRIMARY KEY (day, service_id, first));
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS tickets (
                offline_id TEXT PRIMARY KEY, day TEXT NOT NULL, service_id INTEGER NOT NULL,
                sequence INTEGER NOT NULL, issued_at TEXT NOT NULL, body TEXT NOT NULL, replayed_at TEXT,
                outcome TEXT, UNIQUE (day, service_id, sequence));
            CREATE TABLE IF NOT EXISTS cache (
                path TEXT PRIMARY KEY, status INTEGER NOT NULL, content_type TEXT NOT NULL,
                body BLOB NOT NULL);
            """
        )

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- leases --------------------------------------------------------------------------------------

    def store_leases(self, answer: dict[str, Any]) -> None:
        day = str(answer["day"])
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for service in answer["services"]:
                    for block in service["blocks"]:
                        self._db.execute(
                            "INSERT OR IGNORE INTO leases VALUES (?, ?, ?, ?)",
                            (day, service["service_id"], block["first"], block["last"]),
                        )
                self._db.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('leases', ?)", (json.dumps(answer, default=str),)
                )
                self._db.execute("DELETE FROM leases WHERE day < ?", (day,))
                self._db.execute("DELETE FROM tickets WHERE day < ? AND replayed_at IS NOT NULL", (day,))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def lease_answer(self) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'leases'").fetchone()
        return json.loads(row[0]) if row else None

    def used(self, day: str) -> dict[int, int]:
        """Per service, the highest number issued offline on ``day``."""
        with self._lock:
            rows = self._db.execute(
                "SELECT service_id, MAX(sequence) FROM tickets WHERE day = ? GROUP BY service_id", (day,)
            ).fetchall()
        return {int(service_id): int(last) for service_id, last in rows}

    def take_number(
        self, day: str, service_id: int, record: Callable[[int], dict[str, Any]]
    ) -> dict[str, Any] | None:
        """The next unused number of the service's leases of ``day``, recorded (``record(sequence)`` gives the
        ticket's body) and on disk before this returns; ``None`` when the leases are used up."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                blocks = self._db.execute(
                    "SELECT first, last FROM leases WHERE day = ? AND service_id = ? ORDER BY first",
                    (day, service_id),
                ).fetchall()
                (highest,) = self._db.execute(
                    "SELECT MAX(sequence) FROM tickets WHERE day = ? AND service_id = ?", (day, service_id)
                ).fetchone()
                sequence = next(
                    (max(first, (highest or 0) + 1) for first, last in blocks if (highest or 0) < last), None
                )
                if sequence is None:
                    self._db.execute("ROLLBACK")
                    return None
                body = record(sequence)
                self._db.execute(
                    "INSERT INTO tickets (offline_id, day, service_id, sequence, issued_at, body)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (body["offline_id"], day, service_id, sequence, body["issued_at"], json.dumps(body)),
                )
                self._db.execute("COMMIT")
                return body
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    # -- replay --------------------------------------------------------------------------------------

    def pending(self) -> list[dict[str, Any]]:
        """Tickets the server does not have yet, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT body FROM tickets WHERE replayed_at IS NULL ORDER BY issued_at, rowid"
            ).fetchall()
        return [json.loads(body) for (body,) in rows]

    def replayed(self, offline_id: str, at: datetime, outcome: str) -> None:
        """The server has it (or refused it for good): forget the person's phone and ID."""
        with self._lock:
            (body,) = self._db.execute(
                "SELECT body FROM tickets WHERE offline_id = ?", (offline_id,)
            ).fetchone()
            ticket = json.loads(body)
            ticket["request"].pop("phone", None)
            ticket["request"].pop("citizen_id", None)
            self._db.execute(
                "UPDATE tickets SET replayed_at = ?, outcome = ?, body = ? WHERE offline_id = ?",
                (at.isoformat(), outcome, json.dumps(ticket), offline_id),
            )

    def count_pending(self) -> int:
        with self._lock:
            (count,) = self._db.execute("SELECT COUNT(*) FROM tickets WHERE replayed_at IS NULL").fetchone()
        return int(count)

    # -- the server's last answers -------------------------------------------------------------------

    def remember(self, path: str, status: int, content_type: str, body: bytes) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO cache VALUES (?, ?, ?, ?)", (path, status, content_type, body)
            )

    def recall(self, path: str) -> tuple[int, str, bytes] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT status, content_type, body FROM cache WHERE path = ?", (path,)
            ).fetchone()
        return (int(row[0]), str(row[1]), bytes(row[2])) if row else None


@dataclass(frozen=True)
class Upstream:
    scheme: str
    host: str
    port: int

    @classmethod
    def of(cls, url: str) -> Upstream:
        parts = urlsplit(url)
        scheme = parts.scheme or "http"
        return cls(scheme, parts.hostname or "127.0.0.1", parts.port or (443 if scheme == "https" else 80))

    def connection(self, timeout: float) -> http.client.HTTPConnection:
        if self.scheme == "https":
            return http.client.HTTPSConnection(self.host, self.port, timeout=timeout)
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def socket(self, timeout: float) -> socket.socket:
        raw = socket.create_connection((self.host, self.port), timeout=timeout)
        if self.scheme == "https":
            return ssl.create_default_context().wrap_socket(raw, server_hostname=self.host)
        return raw

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.host_header}"

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        return self.host if self.port == default else f"{self.host}:{self.port}"


class OfflineDesk:
    """Issues the next number of the agent's lease while the server does not answer."""

    def __init__(self, journal: Journal, print_paper: Callable[[TicketPaper], bool]) -> None:
        self.journal = journal
        self.print_paper = print_paper

    def can_issue(self) -> bool:
        answer = self.journal.lease_answer()
        return answer is not None and str(answer["day"]) == self._today(answer)

    @staticmethod
    def _today(answer: dict[str, Any]) -> str:
        return datetime.now(ZoneInfo(str(answer["timezone"]))).date().isoformat()

    def issue(self, site_id: int, request: dict[str, Any]) -> dict[str, Any] | None:
        """The ticket as the kiosk page reads it, or ``None`` (no lease of today for that service)."""
        answer = self.journal.lease_answer()
        if answer is None or answer["site_id"] != site_id:
            return None
        service = next((s for s in answer["services"] if s["service_id"] == request.get("service_id")), None)
        day = self._today(answer)
        if service is None or str(answer["day"]) != day:
            return None
        now = datetime.now(UTC)

        def record(sequence: int) -> dict[str, Any]:
            code = secrets.token_urlsafe(12)
            kept = {k: request[k] for k in ("priority", "phone", "citizen_id", "language") if request.get(k)}
            return {
                "offline_id": str(uuid.uuid4()),
                "service_id": service["service_id"],
                "sequence": sequence,
                "number": format_number(service["prefix"], sequence, service["digits"]),
                "public_code": code,
                "issued_at": now.isoformat(),
                "request": kept,
            }

        body = self.journal.take_number(day, service["service_id"], record)
        if body is None:
            return None
        status_url = f"{str(answer['status_base']).rstrip('/')}/t/{body['public_code']}"
        paper = TicketPaper(
            number=body["number"],
            service=service["name"],
            service_en=service["name_en"],
            site=answer["site"],
            commune=answer["commune"],
            issued_at=now.astimezone(ZoneInfo(str(answer["timezone"]))),
            status_url=status_url,
            priority=str(body["request"].get("priority", "none")),
            footer=answer["footer"],
            offline=True,
        )
        printed = self.print_paper(paper)
        return {
            "id": None,
            "number": body["number"],
            "service_id": service["service_id"],
            "site_id": site_id,
            "status": "waiting",
            "priority": paper.priority,
            "issued_at": body["issued_at"],
            "position": 0,
            "estimated_wait_s": 0,
            "public_code": body["public_code"],
            "status_url": status_url,
            "counter": None,
            "offline": True,
            "print": {"status": "printed" if printed else "failed"},
        }

    def status_url(self, public_code: str) -> str | None:
        answer = self.journal.lease_answer()
        return f"{str(answer['status_base']).rstrip('/')}/t/{public_code}" if answer else None


def qr_svg(text: str) -> bytes:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    out = BytesIO()
    image.save(out)
    return out.getvalue()


class KioskProxy:
    """``http://127.0.0.1:PORT``: the kiosk page and everything it asks, passed through to the server; the
    offline desk and the remembered answers while the server does not answer."""

    def __init__(
        self,
        upstream: Upstream,
        desk: OfflineDesk,
        port: int,
        on_reachable: Callable[[bool], None],
        host: str = "127.0.0.1",
    ) -> None:
        self.upstream = upstream
        self.desk = desk
        self.on_reachable = on_reachable
        self.online = False
        self.printing: Callable[[], bool] = lambda: False  # the agent's print connection to the server is up
        handler = _handler(self)
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self.port = int(self.httpd.server_address[1])
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="kiosk page", daemon=True)

    def start(self) -> KioskProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _handler(proxy: KioskProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("kiosk page: " + format, *args)

        def do_GET(self) -> None:
            self._pass()

        def do_POST(self) -> None:
            self._pass()

        def do_PUT(self) -> None:
            self._pass()

        def do_PATCH(self) -> None:
            self._pass()

        def do_DELETE(self) -> None:
            self._pass()

        def do_HEAD(self) -> None:
            self._pass()

        # -- the pass-through ---------------------------------------------------------------------------

        def _pass(self) -> None:
            path = self.path
            if path == "/agent/status":
                answer = {
                    "agent": True,
                    "online": proxy.online,
                    "can_issue": proxy.desk.can_issue(),
                    "printing": proxy.printing(),
                    "pending": proxy.desk.journal.count_pending(),
                }
                self._send(200, "application/json", json.dumps(answer).encode())
                return
            if self.headers.get("Upgrade", "").lower() == "websocket":
                self._tunnel()
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            long_poll = path.startswith("/socket.io/")
            try:
                status, headers, content = self._ask(body, LONG_POLL_S if long_poll else ANSWER_WITHIN_S)
            except (OSError, http.client.HTTPException) as exc:
                log.info("the server did not answer %s %s (%s)", self.command, path.split("?")[0], exc)
                proxy.on_reachable(False)
                self._offline(path, body)
                return
            proxy.on_reachable(True)
            if self.command == "GET" and status == 200 and not long_poll:
                kind = next(
                    (v for k, v in headers if k.lower() == "content-type"), "application/octet-stream"
                )
                proxy.desk.journal.remember(path, status, kind, content)
            self.send_response(status)
            for key, value in headers:
                if key.lower() not in HOP_BY_HOP:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(content)

        def _ask(self, body: bytes, timeout: float) -> tuple[int, list[tuple[str, str]], bytes]:
            connection = proxy.upstream.connection(timeout)
            try:
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                headers["Host"] = proxy.upstream.host_header
                if "Origin" in headers:
                    headers["Origin"] = proxy.upstream.origin
                headers["Content-Length"] = str(len(body))
                headers["Connection"] = "close"
                connection.request(self.command, self.path, body=body, headers=headers)
                response = connection.getresponse()
                return response.status, response.getheaders(), response.read()
            finally:
                connection.close()

        def _offline(self, path: str, body: bytes) -> None:
            issue = ISSUE_PATH.match(path)
            if self.command == "POST" and issue:
                try:
                    request = json.loads(body or b"{}")
                except ValueError:
                    request = {}
                ticket = proxy.desk.issue(int(issue.group(1)), request if isinstance(request, dict) else {})
                if ticket is not None:
                    self._send(201, "application/json", json.dumps(ticket).encode(), offline=True)
                    return
                if proxy.desk.can_issue():  # leases of today, but none left for this service
                    used_up = {
                        "error": {
                            "code": "offline_used_up",
                            "message": "Dịch vụ này tạm hết số khi máy chủ không trả lời: mời ông/bà hỏi "
                            "quầy hướng dẫn · This service has no numbers left while the server does not "
                            "answer: please ask at the reception desk",
                        }
                    }
                    self._send(409, "application/json", json.dumps(used_up).encode(), offline=True)
                    return
            qr = QR_PATH.match(path)
            if self.command == "GET" and qr:
                url = proxy.desk.status_url(qr.group(1))
                if url is not None:
                    self._send(200, "image/svg+xml", qr_svg(url), offline=True)
                    return
            if self.command in ("GET", "HEAD"):
                remembered = proxy.desk.journal.recall(path)
                if remembered is not None:
                    self._send(*remembered, offline=True)
                    return
            error = {
                "error": {
                    "code": "unreachable",
                    "message": "Máy chủ không trả lời · The server does not answer",
                }
            }
            self._send(502, "application/json", json.dumps(error).encode(), offline=True)

        def _send(self, status: int, kind: str, content: bytes, *, offline: bool = False) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(content)))
            self.send_header("Cache-Control", "no-store")
            if offline:
                self.send_header("X-Luot-Offline", "1")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(content)

        def _tunnel(self) -> None:
            """A WebSocket (the page's Socket.IO): the bytes both ways, as they come."""
            self.close_connection = True
            try:
                upstream = proxy.upstream.socket(ANSWER_WITHIN_S)
            except OSError:
                proxy.on_reachable(False)
                self._send(502, "text/plain", b"unreachable", offline=True)
                return
            lines = [f"{self.command} {self.path} HTTP/1.1", f"Host: {proxy.upstream.host_header}"]
            lines += [f"{k}: {v}" for k, v in self.headers.items() if k.lower() not in ("host", "origin")]
            if "Origin" in self.headers:
                lines.append(f"Origin: {proxy.upstream.origin}")  # the page is the server's, through us
            upstream.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
            upstream.settimeout(None)
            self.connection.settimeout(None)

            def down() -> None:
                try:
                    while chunk := upstream.recv(65536):
                        self.connection.sendall(chunk)
                except OSError:
                    pass
                finally:
                    _shut(self.connection)

            reader = threading.Thread(target=down, name="kiosk page websocket", daemon=True)
            reader.start()
            try:
                while chunk := self.rfile.read1(65536):
                    upstream.sendall(chunk)
            except (OSError, ValueError):
                pass
            finally:
                _shut(upstream)
                reader.join(5)
                upstream.close()

    return Handler


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
