"""Personal identifiers, kept to the minimum.

A citizen ID (số định danh cá nhân / CCCD, 12 digits; the old CMND has 9) is never stored: only a keyed
hash (HMAC-SHA256 with the installation's secret) is, enough to apply per-person limits and to look a
ticket up. Phone numbers are normalised to the national form ``0xxxxxxxxx`` and shown masked.

Both go through :func:`digits_of` first, on every path (a kiosk's ticket, a desk's, a booking, and so a
check-in), before the per-person limit and the hash: Unicode NFKC (full-width ``０９１２…`` typed by an
IME, a full-width space or hyphen), then any script's decimal digits as ASCII, then the usual separators
dropped. The same person is the same key however their number was typed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from .errors import N_, InvalidValue

_CITIZEN_ID = re.compile(r"^(\d{12}|\d{9})$", re.ASCII)
_PHONE = re.compile(r"^0\d{9}$", re.ASCII)
_SEPARATORS = re.compile(r"[\s.\-()/_\u2010-\u2015\u2212]")


def digits_of(raw: str) -> str:
    """``raw`` in NFKC, every decimal digit (of any script) as its ASCII digit, separators (spaces,
    dots, dashes, parentheses, slashes) dropped. Any other character stays, for the caller to refuse."""
    text = unicodedata.normalize("NFKC", raw).strip()
    out = []
    for char in text:
        value = unicodedata.decimal(char, None)
        out.append(str(value) if value is not None else char)
    return _SEPARATORS.sub("", "".join(out))


def normalise_citizen_id(raw: str) -> str:
    """Accept a typed ID or the ID card's QR text (``id|old id|name|dob|sex|address|issue date``)."""
    value = digits_of(unicodedata.normalize("NFKC", raw).split("|", 1)[0])
    if not _CITIZEN_ID.match(value):
        raise InvalidValue(N_("A citizen ID has 12 digits."))
    return value


def citizen_key(secret: bytes, citizen_id: str) -> str:
    """The keyed hash under which a citizen ID is stored and looked up."""
    return hmac.new(secret, normalise_citizen_id(citizen_id).encode(), hashlib.sha256).hexdigest()


def normalise_phone(raw: str) -> str:
    """``+84 912 345 678`` / ``0084 912 345 678`` / ``(+84) 912…`` / ``0912.345.678`` / ``+84 0912…`` /
    full-width digits → ``0912345678``; :class:`InvalidValue` if not a Vietnamese number (a ``+`` only
    as the international prefix, and only Vietnam's, 84)."""
    digits = digits_of(raw)
    if digits.startswith("+"):
        if not digits.startswith("+84"):
            raise InvalidValue(N_("A phone number has 10 digits and starts with 0."))
        digits = "84" + digits[3:]
    elif digits.startswith("0084"):
        digits = digits[2:]
    if digits.startswith("840") and len(digits) == 12:
        digits = digits[2:]  # +84 0912…: the national 0 kept after the country code
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
