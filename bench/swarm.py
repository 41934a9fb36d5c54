"""Many Socket.IO clients in one process: a small asyncio Engine.IO v4 / Socket.IO v5 websocket client.

``python -m bench.swarm URL`` reads a JSON list of ``auth`` objects on its first stdin line, connects one
client per entry (a few at a time), prints ``{"connected": n, "failed": m}`` when all are in, keeps them
alive (answering the server's pings), records when each ``ticket.called`` arrives, and on the next stdin
line prints every arrival as ``[site_id, seq, unix_time]`` and exits. A thread per client (what the test
client does) would measure the client's own scheduling more than the server.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import struct
import sys
import time
from typing import Any
from urllib.parse import urlsplit

CALLED = b'42["ticket.called",'


class Client:
    def __init__(self, host: str, port: int, auth: dict[str, Any], arrivals: list[list[Any]]) -> None:
        self.host, self.port, self.auth, self.arrivals = host, port, auth, arrivals
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.connected = asyncio.get_running_loop().create_future()

    async def run(self) -> None:
        try:
            await self._run()
        except Exception as exc:  # a refused or dropped connection counts as failed, not as a crash
            if not self.connected.done():
                self.connected.set_exception(exc)

    async def _run(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port, limit=2**22)
        key = base64.b64encode(os.urandom(16)).decode()
        self.writer.write(
            (
                f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise ConnectionError(head.split(b"\r\n", 1)[0].decode())
        while True:
            message = await self._receive()
            if message is None:
                return
            if message.startswith(b"0"):  # Engine.IO open: join the default namespace with our auth
                self._send(b"40" + json.dumps(self.auth).encode())
            elif message == b"2":
                self._send(b"3")
            elif message.startswith(b"40"):
                if not self.connected.done():
                    self.connected.set_result(True)
            elif message.startswith(b"44"):
                raise ConnectionError(message.decode(errors="replace"))
            elif message.startswith(CALLED):
                now = time.time()
                data = json.loads(message[len(CALLED) : -1])
                self.arrivals.append([data["site_id"], data["seq"], now])

    async def _receive(self) -> bytes | None:
        assert self.reader is not None
        parts = []
        while True:
            first, second = await self.reader.readexactly(2)
            length = second & 0x7F
            if length == 126:
                (length,) = struct.unpack("!H", await self.reader.readexactly(2))
            elif length == 127:
                (length,) = struct.unpack("!Q", await self.reader.readexactly(8))
            payload = await self.reader.readexactly(length)
            opcode = first & 0x0F
            if opcode == 8:
                return None
            if opcode == 9:
                self._frame(0xA, payload)
                continue
            parts.append(payload)
            if first & 0x80:
                return b"".join(parts)

    def _send(self, payload: bytes) -> None:
        self._frame(0x1, payload)

    def _frame(self, opcode: int, payload: bytes) -> None:
        assert self.writer is not None
        mask = os.urandom(4)
        length = len(payload)
        header = bytes([0x80 | opcode])
        if length < 126:
            header += bytes([0x80 | length])
        elif length < 65536:
            header += bytes([0x80 | 126]) + struct.pack("!H", length)
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", length)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.writer.write(header + mask + masked)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def main(url: str) -> None:
    loop = asyncio.get_running_loop()
    auths = json.loads(await loop.run_in_executor(None, sys.stdin.readline))
    parts = urlsplit(url)
    arrivals: list[list[Any]] = []
    clients = [Client(parts.hostname or "127.0.0.1", parts.port or 80, auth, arrivals) for auth in auths]
    tasks = []
    connected = failed = 0
    gate = asyncio.Semaphore(16)  # connect a few at a time, as displays coming up in the morning

    async def connect(client: Client) -> bool:
        async with gate:
            tasks.append(asyncio.create_task(client.run()))
            try:
                await asyncio.wait_for(client.connected, 30)
                return True
            except Exception:
                return False

    for ok in await asyncio.gather(*(connect(client) for client in clients)):
        connected, failed = connected + ok, failed + (not ok)
    print(json.dumps({"connected": connected, "failed": failed}), flush=True)
    await loop.run_in_executor(None, sys.stdin.readline)
    print(json.dumps(arrivals), flush=True)
    for client in clients:
        client.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
