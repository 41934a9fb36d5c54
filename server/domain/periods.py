"""The dates a report or a day's view may name (thống kê, nhật ký, lịch hẹn): a sane range of local dates.

A date far outside it (``0001-01-01``, ``9999-12-31``) is a mistake, and its day cannot even be turned
into UTC instants; every report and day view refuses it with 422 ``bad_period`` before computing anything.
"""

from __future__ import annotations

from datetime import date

from .errors import N_, InvalidValue

EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2099, 12, 31)


def check_report_days(*days: date | None) -> None:
    """:class:`InvalidValue` ``bad_period`` unless every given day lies in the sane range."""
    for day in days:
        if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
            raise InvalidValue(
                N_("Dates of a report lie between %(earliest)s and %(latest)s."),
                code="bad_period",
                earliest=EARLIEST_DAY.isoformat(),
                latest=LATEST_DAY.isoformat(),
            )
