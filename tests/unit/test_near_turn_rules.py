"""The near-turn rules: when a ticket is near, how a text fits one SMS segment, the retry waits."""

from __future__ import annotations

from datetime import timedelta

from server.domain.near_turn import (
    BACKOFF,
    CALLED_TEXT,
    NotifySettings,
    backoff,
    fit_sms,
    is_near,
    reference,
    unaccent,
)

LONG_SITE = "Trung tâm Phục vụ hành chính công phường Kinh Bắc, tỉnh Bắc Ninh (điểm số 2)"


def test_a_ticket_is_near_by_position_or_by_estimated_wait() -> None:
    settings = NotifySettings.from_mapping({"notify_near_position": 3, "notify_near_minutes": 10})
    assert is_near(3, 3600, settings) and not is_near(4, 601, settings)
    assert is_near(9, 600, settings)
    assert not is_near(0, 0, settings)  # no longer waiting


def test_vietnamese_texts_fit_70_characters_by_shortening_the_site_name() -> None:
    text = fit_sms(
        "Mời số %(number)s đến quầy %(counter)s, %(site)s",
        {"number": "A012", "counter": 3},
        site=LONG_SITE,
        unaccented=False,
    )
    assert len(text) <= 70 and text.startswith("Mời số A012 đến quầy 3, Trung tâm") and text.endswith("…")


def test_unaccented_texts_are_plain_ascii_within_160_characters() -> None:
    text = fit_sms(
        CALLED_TEXT, {"number": "A012", "counter": 3}, site=unaccent(LONG_SITE) * 3, unaccented=True
    )
    assert text.isascii() and len(text) <= 160 and text.endswith("...")
    assert unaccent("Đặc khu Cát Hải") == "Dac khu Cat Hai"


def test_retries_wait_longer_each_time_and_references_follow_the_contract() -> None:
    assert [backoff(n) for n in (1, 2, 3, 9)] == [*BACKOFF, BACKOFF[-1]]
    assert backoff(1) == timedelta(seconds=10)
    assert reference(42, "near") == "luot-ticket-42-near"
