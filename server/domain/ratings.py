"""Citizen satisfaction ratings (đánh giá mức độ hài lòng): the scale, the reasons and the rules.

A served (``done``) ticket may be rated once, on the citizen's phone or on the rating pad of the counter
that served it, until the rating window closes. Scores run 1–5: 5 Rất hài lòng (very satisfied),
4 Hài lòng, 3 Bình thường, 2 Không hài lòng, 1 Rất không hài lòng. Satisfied = 4–5; unsatisfied = 1–2.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from .errors import N_, Conflict, Gone, InvalidValue

MIN_SCORE = 1
MAX_SCORE = 5
SATISFIED = frozenset({4, 5})
UNSATISFIED = frozenset({1, 2})
# Scores that ask the citizen why (the pad and the status page offer the reasons).
ASKS_REASONS = frozenset({1, 2, 3})
MAX_COMMENT = 500

DEFAULT_PAD_SECONDS = 30
DEFAULT_WINDOW_HOURS = 24
# A citizen who tapped a face on the pad within its window has this much longer to choose reasons and type
# a comment before the answer is sent.
PAD_REASONS_SECONDS = 90


class Channel(StrEnum):
    PHONE = "phone"  # the ticket's status page, on the citizen's own phone
    COUNTER = "counter"  # the rating pad facing the citizen at the counter


SCORE_LABELS: dict[int, tuple[str, str]] = {
    5: ("Rất hài lòng", "Very satisfied"),
    4: ("Hài lòng", "Satisfied"),
    3: ("Bình thường", "Neutral"),
    2: ("Không hài lòng", "Unsatisfied"),
    1: ("Rất không hài lòng", "Very unsatisfied"),
}


@dataclass(frozen=True, kw_only=True)
class Reason:
    """A reason a citizen may give for a low score (lý do chưa hài lòng)."""

    code: str
    name: str
    name_en: str


DEFAULT_REASONS: tuple[Reason, ...] = (
    Reason(code="waiting_time", name="Thời gian chờ lâu", name_en="Waiting time"),
    Reason(code="staff_attitude", name="Thái độ cán bộ", name_en="Staff attitude"),
    Reason(code="guidance_unclear", name="Hướng dẫn chưa rõ ràng", name_en="Guidance unclear"),
    Reason(code="asked_to_come_back", name="Phải đi lại nhiều lần", name_en="Asked to come back"),
    Reason(
        code="unofficial_payment",
        name="Bị đòi chi phí ngoài quy định",
        name_en="Asked for unofficial payment",
    ),
    Reason(code="other", name="Lý do khác", name_en="Other"),
)


class RatingClosed(Gone):
    """The rating window of the ticket has passed (410)."""

    code = "rating_closed"


@dataclass(frozen=True, kw_only=True)
class RatingSettings:
    """A site's rating settings (the ``ratings`` section of its configuration)."""

    reasons: tuple[Reason, ...] = DEFAULT_REASONS
    pad_seconds: int = DEFAULT_PAD_SECONDS
    window_hours: int = DEFAULT_WINDOW_HOURS

    @classmethod
    def of(cls, section: Mapping[str, Any] | None) -> RatingSettings:
        section = section or {}
        reasons = tuple(
            Reason(code=r["code"], name=r["name"], name_en=r.get("name_en") or r["name"])
            for r in section.get("reasons") or ()
        )
        return cls(
            reasons=reasons or DEFAULT_REASONS,
            pad_seconds=int(section.get("pad_seconds") or DEFAULT_PAD_SECONDS),
            window_hours=int(section.get("window_hours") or DEFAULT_WINDOW_HOURS),
        )

    def pad_closes(self, finished_at: datetime) -> datetime:
        """Until when the pad asks (``expires_at`` of ``rating.requested``)."""
        return finished_at + timedelta(seconds=self.pad_seconds)

    def pad_accepts(self, finished_at: datetime) -> datetime:
        """Until when the pad's answer is taken: its window, then time to choose reasons."""
        return self.pad_closes(finished_at) + timedelta(seconds=PAD_REASONS_SECONDS)

    def phone_closes(self, finished_at: datetime) -> datetime:
        return finished_at + timedelta(hours=self.window_hours)


def check_score(score: object) -> int:
    if isinstance(score, bool) or not isinstance(score, int) or not MIN_SCORE <= score <= MAX_SCORE:
        raise InvalidValue(N_("A score is a whole number from 1 to 5."), code="invalid_score")
    return score


def check_reasons(reasons: Iterable[str], known: Sequence[Reason]) -> tuple[str, ...]:
    """The reasons given, each once, in the order given; 422 for a code the site does not list."""
    codes = {r.code for r in known}
    chosen: list[str] = []
    for code in reasons:
        if code not in codes:
            raise InvalidValue(N_("Unknown reason: %(reason)s."), code="unknown_reason", reason=code)
        if code not in chosen:
            chosen.append(code)
    return tuple(chosen)


def check_rateable(
    status: str, finished_at: datetime | None, closes: datetime | None, already_rated: bool, at: datetime
) -> None:
    """409 ``not_served`` unless done; 409 ``already_rated``; 410 ``rating_closed`` after the window."""
    if status != "done" or finished_at is None:
        raise Conflict(N_("Only a served ticket can be rated."), code="not_served")
    if already_rated:
        raise Conflict(N_("This ticket has already been rated."), code="already_rated")
    if closes is not None and at > closes:
        raise RatingClosed(N_("The time for rating this ticket has passed."))


def satisfied_pct(distribution: Mapping[int, int]) -> float | None:
    total = sum(distribution.values())
    if not total:
        return None
    return round(100 * sum(n for s, n in distribution.items() if s in SATISFIED) / total, 1)
