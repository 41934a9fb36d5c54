""" "Your turn is near" and "you are called" messages (tin nhắn báo sắp đến lượt), and remote tickets.

The pure rules: when a waiting ticket is near its turn, what the site's notify settings are, how a text
is made to fit one SMS segment, and how long to wait before sending a failed message again.

A ticket that left a phone number gets at most one message of each kind (:class:`MessageKind`), ever;
the database enforces it (one row per ticket and kind). A message is ``queued``, then ``sending`` while
a notifier has it, then ``sent`` or, after its last attempt, ``failed`` with the gateway's answer; a
queued ``near`` whose ticket was called (or cancelled) first is ``cancelled``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from .errors import N_


class MessageKind(StrEnum):
    NEAR = "near"  # your turn is near
    CALLED = "called"  # you are called to counter n


class MessageStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


OPEN_MESSAGE_STATUSES = frozenset({MessageStatus.QUEUED, MessageStatus.SENDING})

# Delivery: attempts before a message is given up, and the wait before each retry.
MAX_ATTEMPTS = 4
BACKOFF = (timedelta(seconds=10), timedelta(seconds=60), timedelta(minutes=5))

# One SMS segment: 70 characters in UCS-2 (any Vietnamese diacritic), 160 in the GSM 7-bit alphabet.
UCS2_SEGMENT = 70
GSM_SEGMENT = 160

CHANNELS = ("zns", "sms", "log")


def backoff(attempts: int) -> timedelta:
    """The wait before attempt ``attempts + 1``, ``attempts`` (≥ 1) having failed."""
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


def reference(ticket_id: int, kind: str) -> str:
    """The reference a gateway receives with a message: ``luot-ticket-{id}-near|called`` (API.md)."""
    return f"luot-ticket-{ticket_id}-{kind}"


@dataclass(frozen=True)
class NotifySettings:
    """A site's keys for messages and remote tickets (site-configuration file, all optional).

    - ``notify_near_position`` (3): a ticket is near when at most this many are to be called before and
      including it; ``notify_near_minutes`` (10): or when its estimated wait is at most this long.
    - ``notify_channels``: the fallback chain, e.g. ``[zns, sms]`` (default: the installation's
      ``LUOT_NOTIFIER``); ``sms_unaccented``: send the unaccented 160-character form instead of the
      70-character Vietnamese one.
    - ``remote_share`` (0.3): the share of a service's estimated calls of the next hour that remote
      tickets may take; ``remote_expire_calls`` (10): an unconfirmed remote ticket expires once this many
      tickets of its service were called after its turn came.
    """

    near_position: int = 3
    near_minutes: int = 10
    channels: tuple[str, ...] = ()
    sms_unaccented: bool = False
    remote_share: float = 0.3
    remote_expire_calls: int = 10

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> NotifySettings:
        values = values or {}
        return cls(
            near_position=int(values.get("notify_near_position", cls.near_position)),
            near_minutes=int(values.get("notify_near_minutes", cls.near_minutes)),
            channels=tuple(values.get("notify_channels") or ()),
            sms_unaccented=bool(values.get("sms_unaccented", False)),
            remote_share=float(values.get("remote_share", cls.remote_share)),
            remote_expire_calls=int(values.get("remote_expire_calls", cls.remote_expire_calls)),
        )


def is_near(position: int, estimated_wait_s: int, settings: NotifySettings) -> bool:
    """Whether a waiting ticket at ``position`` (1 = next) is near its turn."""
    if position <= 0:
        return False
    return position <= settings.near_position or estimated_wait_s <= settings.near_minutes * 60


# -- texts ---------------------------------------------------------------------------------------------

NEAR_TEXT = N_("%(number)s: your turn is near at %(site)s")
CALLED_TEXT = N_("%(number)s: please come to counter %(counter)s, %(site)s")


def unaccent(text: str) -> str:
    """Vietnamese without its diacritics (``Đặc khu Cát Hải`` → ``Dac khu Cat Hai``), NFC."""
    text = text.replace("Đ", "D").replace("đ", "d")
    stripped = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped)


def is_gsm(text: str) -> bool:
    """Close enough to the GSM 7-bit alphabet for our texts: printable ASCII."""
    return all(" " <= c <= "~" for c in text)


def fit_sms(template: str, values: Mapping[str, Any], *, site: str, unaccented: bool) -> str:
    """``template % values`` made to fit one SMS segment: unaccented when the site chooses it (or when the
    text is plain ASCII, 160 characters), else 70; the site's name is shortened first when too long."""
    render = unaccent if unaccented else (lambda text: unicodedata.normalize("NFC", text))

    def text_with(site_name: str) -> str:
        return render(template % {**values, "site": site_name})

    full = text_with(site)
    limit = GSM_SEGMENT if is_gsm(full) else UCS2_SEGMENT
    if len(full) <= limit:
        return full
    dots = "..." if limit == GSM_SEGMENT else "…"
    over = len(full) - limit
    short = site[: max(len(site) - over - len(dots), 0)].rstrip() + dots
    fitted = text_with(short)
    return fitted if len(fitted) <= limit else fitted[: limit - len(dots)] + dots
