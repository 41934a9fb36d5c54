"""A stand-in thermal printer on a real TCP port: it records what each connection sent, and can be closed
and opened again on the same port."""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass

INIT = b"\x1b@"
RASTER = b"\x1dv0"
CUTS = (b"\x1dV\x00", b"\x1dV\x01", b"\x1dVA", b"\x1dVB", b"\x1bi", b"\x1bm")


@dataclass(frozen=True)
class Received:
    """One ticket's bytes, read the way a printer reads them."""

    data: bytes

    @property
    def starts_with_init(self) -> bool:
        return self.data.startswith(INIT)

    def raster_sizes(self) -> list[tuple[int, int]]:
        """(width in dots, height in dots) of each ``GS v 0`` raster image."""
        sizes = []
        at = self.data.find(RASTER)
        while at >= 0:
            header = self.data[at + 4 : at + 8]
            width_bytes = header[0] + header[1] * 256
            height = header[2] + header[3] * 256
            sizes.append((width_bytes * 8, height))
            at = self.data.find(RASTER, at + 8 + width_bytes * height)
        return sizes

    @property
    def cut_after_image(self) -> bool:
        last_raster = self.data.rfind(RASTER)
        return any(self.data.find(cut, last_raster) > last_raster for cut in CUTS)


class PrinterServer:
    """Listens on 127.0.0.1; ``tickets`` holds what each finished connection sent."""

    def __init__(self, port: int = 0) -> None:
        self.port = port
        self.tickets: list[Received] = []
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._received = threading.Condition()

    @property
    def uri(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def start(self) -> PrinterServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(8)
        self.port = sock.getsockname()[1]
        self._sock = sock
        self._thread = threading.Thread(target=self._serve, args=(sock,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.shutdown(socket.SHUT_RDWR)  # wakes the accept() below
            self._sock.close()
            self._sock = None
        if self._thread is not None:
            self._thread.join(5)

    def _serve(self, sock: socket.socket) -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            threading.Thread(target=self._read, args=(conn,), daemon=True).start()

    def _read(self, conn: socket.socket) -> None:
        chunks = []
        with conn:
            conn.settimeout(10)
            try:
                while chunk := conn.recv(65536):
                    chunks.append(chunk)
            except OSError:
                pass
        if chunks:
            with self._received:
                self.tickets.append(Received(b"".join(chunks)))
                self._received.notify_all()

    def wait_for(self, count: int, timeout: float = 20) -> list[Received]:
        """Block until ``count`` tickets have arrived (or ``timeout`` passed); return them."""
        with self._received:
            self._received.wait_for(lambda: len(self.tickets) >= count, timeout)
            return list(self.tickets)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
