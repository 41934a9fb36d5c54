"""Viet Nam's public holidays (ngày lễ, Tết), from the ``holidays`` package.

The package follows each year's official decisions (Tết Nguyên Đán by the lunar calendar, Giỗ Tổ Hùng
Vương, days swapped or added by the government); its version is pinned so that a release with new
decisions is an explicit upgrade. Dates are local dates: callers pass the site's local date.
"""

from __future__ import annotations

import functools
from datetime import date

import holidays

COUNTRY = "VN"
_LANGUAGES = {"vi": "vi", "en": "en_US"}


@functools.lru_cache(maxsize=64)
def _year(year: int, language: str) -> dict[date, str]:
    return dict(holidays.country_holidays(COUNTRY, years=year, language=language).items())


def is_public_holiday(day: date) -> bool:
    return day in _year(day.year, "vi")


def holiday_name(day: date, language: str = "vi") -> str | None:
    """The holiday's name in Vietnamese or English, or ``None`` on a working day."""
    return _year(day.year, _LANGUAGES.get(language, "vi")).get(day)
