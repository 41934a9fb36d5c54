"""Notices (thông báo) that a site's wall displays show in their ticker, each within its active period.

A site keeps a short list of notices, replaced whole by a manager ("Chiều thứ Sáu 27/11 Trung tâm làm việc
đến 16:00"). A notice with no start is active from now on; one with no end stays until removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from .errors import N_, InvalidValue
from .text import clean_text

MAX_NOTICES = 20
MAX_TEXT = 300


@dataclass(frozen=True, kw_only=True)
class NoticeInfo:
    """One notice as the API and events carry it (``id`` is 0 before it is stored)."""

    text: str
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    id: int = 0

    def active_at(self, at: datetime) -> bool:
        return (self.starts_at is None or self.starts_at <= at) and (
            self.ends_at is None or at < self.ends_at
        )


def check_notices(notices: Sequence[NoticeInfo]) -> list[NoticeInfo]:
    """The notices with their text cleaned (NFC, no control characters); refuses what cannot be shown."""
    if len(notices) > MAX_NOTICES:
        raise InvalidValue(
            N_("A site has at most %(max)s notices."), code="too_many_notices", max=MAX_NOTICES
        )
    checked = []
    for notice in notices:
        text = clean_text(notice.text, field="text", max_length=MAX_TEXT)
        if not text:
            raise InvalidValue(N_("A notice needs some text."), code="empty_notice")
        for moment in (notice.starts_at, notice.ends_at):
            if moment is not None and moment.tzinfo is None:
                raise InvalidValue(N_("A notice's start and end need a time zone offset."))
        if notice.starts_at and notice.ends_at and notice.ends_at <= notice.starts_at:
            raise InvalidValue(N_("A notice must end after it starts."), code="notice_period")
        checked.append(
            NoticeInfo(text=text, starts_at=notice.starts_at, ends_at=notice.ends_at, id=notice.id)
        )
    return checked
