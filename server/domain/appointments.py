"""Appointments (lịch hẹn): statuses, codes, a site's booking settings, check-in windows, reminders.

::

    booked ──check-in──▶ checked_in        (the kiosk issues an appointment ticket)
      │ └──────sweeper──▶ no_show          (not checked in ``no_show_after`` past the start)
      └──────cancel────▶ cancelled         (the citizen, with the private link; the slot is freed)

A rescheduled appointment stays ``booked`` with a new start (and keeps its code and link).

The code is what a citizen types at the kiosk or shows as a QR code: short, upper case, and made of
characters that cannot be mistaken for one another (no 0/O, 1/I/L, 2/Z, 5/S, 8/B).

A **signed code** (:func:`signed_code`) is three random characters and three check characters: an HMAC,
with the installation's secret, of the site, the service, the appointment's local date and the random
part. A site box that shares the secret can tell without its upstream that a code it has never seen is a
plausible booking for today, at its site, for one of its services (a guess passes one time in 15,625).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from fractions import Fraction
from typing import Any

from .errors import N_, Conflict, IllegalTransition

CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 6


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


def new_code() -> str:
    """A fresh appointment code (uniqueness is the database's job)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


RANDOM_PART = 3
CHECK_SPACE = len(CODE_ALPHABET) ** (CODE_LENGTH - RANDOM_PART)


def _check(secret: bytes, site_id: int, service_id: int, day: date, random_part: str) -> str:
    message = f"luot-appointment:{site_id}:{service_id}:{day.isoformat()}:{random_part}".encode()
    value = int.from_bytes(hmac.new(secret, message, hashlib.sha256).digest()[:8], "big") % CHECK_SPACE
    out = []
    for _ in range(CODE_LENGTH - RANDOM_PART):
        value, digit = divmod(value, len(CODE_ALPHABET))
        out.append(CODE_ALPHABET[digit])
    return "".join(out)


def signed_code(secret: bytes, site_id: int, service_id: int, day: date) -> str:
    """A fresh code that carries its check: see the module's doc (uniqueness is the database's job)."""
    random_part = "".join(secrets.choice(CODE_ALPHABET) for _ in range(RANDOM_PART))
    return random_part + _check(secret, site_id, service_id, day, random_part)


def code_signed_for(secret: bytes, code: str, site_id: int, service_id: int, day: date) -> bool:
    """Whether ``code`` (normalised) is a signed code of a booking at ``site_id`` for ``service_id`` on
    ``day`` (the site's local date)."""
    if len(code) != CODE_LENGTH or not secret:
        return False
    expected = _check(secret, site_id, service_id, day, code[:RANDOM_PART])
    return hmac.compare_digest(code[RANDOM_PART:], expected)


def normalise_code(raw: str) -> str | None:
    """What a citizen typed or a scanner read (``acd-479``, `` ACD 479``) → ``ACD479``; ``None`` if it
    cannot be a code."""
    value = "".join(raw.split()).replace("-", "").upper()
    if len(value) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in value):
        return None
    return value


@dataclass(frozen=True)
class BookingSettings:
    """A site's booking rules (the ``booking`` section of the site-configuration file)."""

    bookable_share: Fraction = Fraction(1, 2)
    notice: timedelta = timedelta(minutes=60)
    horizon_days: int = 30
    check_in_early: timedelta = timedelta(minutes=30)
    check_in_late: timedelta = timedelta(minutes=15)
    reminders: tuple[timedelta, ...] = (timedelta(days=1), timedelta(hours=1))
    no_show_after: timedelta = timedelta(minutes=30)
    person_limit: int = 2
    public_holidays: bool = True

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> BookingSettings:
        """From the stored section; a missing key keeps its default."""
        values = values or {}
        default = cls()

        def minutes(key: str, fallback: timedelta) -> timedelta:
            return timedelta(minutes=values[key]) if key in values else fallback

        return cls(
            bookable_share=Fraction(str(values.get("bookable_share", default.bookable_share))),
            notice=minutes("notice_minutes", default.notice),
            horizon_days=int(values.get("horizon_days", default.horizon_days)),
            check_in_early=minutes("check_in_early_minutes", default.check_in_early),
            check_in_late=minutes("check_in_late_minutes", default.check_in_late),
            reminders=tuple(timedelta(minutes=m) for m in values["reminder_minutes"])
            if "reminder_minutes" in values
            else default.reminders,
            no_show_after=minutes("no_show_minutes", default.no_show_after),
            person_limit=int(values.get("person_limit", default.person_limit)),
            public_holidays=bool(values.get("public_holidays", default.public_holidays)),
        )


class CheckInKind(StrEnum):
    ON_TIME = "on_time"  # an appointment ticket, called at its time (queue policy, rule 2)
    LATE = "late"  # past the window: a walk-in ticket, and the citizen is told so


def check_in_kind(start: datetime, now: datetime, settings: BookingSettings) -> CheckInKind:
    """What checking in at ``now`` gives; :class:`Conflict` (``too_early``) before the window opens."""
    if now < start - settings.check_in_early:
        raise Conflict(
            N_("It is too early to check in: please come back from %(time)s."),
            code="too_early",
            time=(start - settings.check_in_early).strftime("%H:%M"),
        )
    return CheckInKind.LATE if now > start + settings.check_in_late else CheckInKind.ON_TIME


def require_status(current: AppointmentStatus, allowed: Sequence[AppointmentStatus]) -> None:
    """:class:`IllegalTransition` (409) with a message a citizen understands."""
    if current in allowed:
        return
    messages = {
        AppointmentStatus.CHECKED_IN: (N_("This appointment is already checked in."), "already_checked_in"),
        AppointmentStatus.CANCELLED: (N_("This appointment was cancelled."), "appointment_cancelled"),
        AppointmentStatus.NO_SHOW: (N_("This appointment has passed."), "appointment_passed"),
        AppointmentStatus.BOOKED: (N_("This appointment is not checked in."), "not_checked_in"),
    }
    message, code = messages[current]
    raise IllegalTransition(message, code=code)


def reminder_kind(lead: timedelta, start: datetime) -> str:
    """The outbox kind of a reminder, unique per appointment: its lead in minutes and the start (UTC) it
    announces, ``reminder-1440-202611230100``, so that a rescheduled appointment is reminded again."""
    return f"reminder-{int(lead.total_seconds() // 60)}-{start.astimezone(UTC):%Y%m%d%H%M}"


@dataclass(frozen=True)
class ReminderPlan:
    """Which reminders of one appointment are due at ``now``."""

    start: datetime
    booked_at: datetime
    leads: tuple[timedelta, ...] = field(default=())

    def due(self, now: datetime) -> list[timedelta]:
        """Leads whose time has come before the start. A reminder whose time had already passed when
        the appointment was booked is skipped (booked at 15:00 for 16:30: no "day before" message)."""
        return [
            lead
            for lead in sorted(self.leads, reverse=True)
            if self.booked_at < self.start - lead <= now < self.start
        ]


def is_no_show(start: datetime, now: datetime, settings: BookingSettings) -> bool:
    return now > start + settings.no_show_after
