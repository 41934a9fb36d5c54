"""Enrolment codes (mã kích hoạt): a short, single-use, time-limited code that a technician types on a
kiosk or display instead of its long device token.

A code is 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L, U), shown as ``ABCD-EFGH``
and typed in any case, with or without the hyphen. 30⁸ ≈ 6.6 × 10¹¹ codes, valid for one day, used once,
and stored only as a keyed hash: guessing one is hopeless even before the rate limits.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from .errors import N_, InvalidValue

ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
LENGTH = 8
LIFETIME = timedelta(days=1)


def new_code() -> str:
    """A fresh random code, in its canonical form (``ABCDEFGH``)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise_code(raw: str) -> str:
    """``abcd-efgh`` / `` ABCD EFGH `` → ``ABCDEFGH``; :class:`InvalidValue` if it cannot be a code."""
    value = "".join(raw.split()).replace("-", "").upper()
    if len(value) != LENGTH or any(char not in ALPHABET for char in value):
        raise InvalidValue(
            N_("An enrolment code has %(length)s letters and digits."), code="invalid_code", length=LENGTH
        )
    return value


def display_code(code: str) -> str:
    """``ABCDEFGH`` → ``ABCD-EFGH``, easier to read aloud and to type."""
    half = LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


def code_hash(secret: bytes, code: str) -> str:
    """The keyed hash under which a code is stored and looked up."""
    return hmac.new(secret, normalise_code(code).encode(), hashlib.sha256).hexdigest()
