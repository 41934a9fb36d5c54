"""Personal identifiers, kept to the minimum.

A citizen ID (số định danh cá nhân / CCCD, 12 digits; the old CMND has 9) is never stored: only a keyed
hash (HMAC-SHA256 with the installation's secret) is, enough to apply per-person limits and to look a
ticket up. Phone numbers are normalised to the national form ``0xxxxxxxxx`` and shown masked.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from .errors import N_, InvalidValue

_CITIZEN_ID = re.compile(r"^(\d{12}|\d{9})$")
_PHONE = re.compile(r"^0\d{9}$")


def normalise_citizen_id(raw: str) -> str:
    """Accept a typed ID or the ID card's QR text (``id|old id|name|dob|sex|address|issue date``)."""
    value = raw.strip().split("|", 1)[0].replace(" ", "")
    if not _CITIZEN_ID.match(value):
        raise InvalidValue(N_("A citizen ID has 12 digits."))
    return value


def citizen_key(secret: bytes, citizen_id: str) -> str:
    """The keyed hash under which a citizen ID is stored and looked up."""
    return hmac.new(secret, normalise_citizen_id(citizen_id).encode(), hashlib.sha256).hexdigest()


def normalise_phone(raw: str) -> str:
    """``+84 912 345 678`` / ``0912.345.678`` → ``0912345678``; :class:`InvalidValue` if not a VN number."""
    digits = re.sub(r"[\s.\-()]", "", raw.strip())
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if not _PHONE.match(digits):
        raise InvalidValue(N_("A phone number has 10 digits and starts with 0."))
    return digits


def mask_phone(phone: str | None) -> str | None:
    """``0912345678`` → ``091****678``."""
    if not phone:
        return None
    return phone[:3] + "*" * (len(phone) - 6) + phone[-3:]
