"""The clock of an outage in the long tier: steps spread over it, and its full length."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence

OUTAGE_S = 180.0  # three minutes without the link (site box) or the server (kiosk)


class Outage:
    """From the moment an outage began: steps spread over it (every 10–20 s, not all at once) and its full
    length. Sleeping here lets the outage last; the tests wait for outcomes as conditions."""

    def __init__(self, length_s: float = OUTAGE_S) -> None:
        self.length_s = length_s
        self.began = time.monotonic()

    @property
    def elapsed_s(self) -> float:
        return time.monotonic() - self.began

    def until(self, offset_s: float) -> None:
        """Let the outage go on until ``offset_s`` seconds after it began."""
        time.sleep(max(0.0, offset_s - self.elapsed_s))

    def steps(self, count: int, gaps_s: Sequence[float] = (10, 14, 18)) -> Iterator[int]:
        """``count`` steps, the first at once and the next after the gaps ``gaps_s`` in turn."""
        offset = 0.0
        for step in range(count):
            self.until(offset)
            yield step
            offset += gaps_s[step % len(gaps_s)]

    def end(self) -> None:
        """Let the outage last its full length."""
        self.until(self.length_s)
