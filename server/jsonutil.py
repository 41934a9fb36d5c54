"""JSON for Socket.IO payloads and Flask responses: dataclasses as objects, datetimes as ISO 8601.

What comes in is parsed only when it nests at most :data:`MAX_DEPTH` arrays and objects deep: the depth is
counted first by a flat scan (no recursion), so that a body of a thousand ``[`` is refused as malformed
instead of exhausting the parser's recursion (a 500 before).
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from enum import Enum
from typing import Any


def default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(value: Any, **kwargs: Any) -> str:
    kwargs.setdefault("ensure_ascii", False)
    return json.dumps(value, default=default, **kwargs)


MAX_DEPTH = 64

_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_OPENING = frozenset(b"[{")


class TooDeep(ValueError):
    """A JSON text nested deeper than :data:`MAX_DEPTH` (a ``ValueError``, as for any JSON that cannot be
    read)."""


def nested_too_deep(text: str | bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether ``text`` opens more than ``limit`` arrays or objects inside each other (strings skipped).

    Strings are cut out and everything but brackets dropped with bytes operations; one flat pass over
    the brackets left stops at the first one too deep. No recursion, and about 0.2 s for the worst
    megabyte (the largest body the server reads)."""
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    if data.count(b"[") + data.count(b"{") <= limit:
        return False
    if b'"' in data:  # escaped backslashes and quotes first, then every other piece is outside strings
        unescaped = data.replace(b"\\\\", b"").replace(b'\\"', b"")
        data = b"".join(unescaped.split(b'"')[::2])
    depth = 0
    for char in data.translate(None, _NOT_BRACKETS):
        if char in _OPENING:
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def check_depth(text: str | bytes, limit: int = MAX_DEPTH) -> None:
    """:class:`TooDeep` when ``text`` nests deeper than ``limit``."""
    if nested_too_deep(text, limit):
        raise TooDeep(f"JSON nested deeper than {limit} levels")


def loads(text: str | bytes, **kwargs: Any) -> Any:
    """``json.loads``, refusing a text nested deeper than :data:`MAX_DEPTH` (:class:`TooDeep`)."""
    check_depth(text)
    return json.loads(text, **kwargs)


def to_plain(value: Any) -> Any:
    """``value`` as plain JSON types (what a client will receive)."""
    return json.loads(dumps(value))
