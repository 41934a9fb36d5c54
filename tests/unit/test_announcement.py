"""How calls are read aloud: Vietnamese numbers as people say them, ticket numbers letter then number."""

from __future__ import annotations

import pytest

from server.domain.announcement import (
    CLIPS,
    PAUSE,
    call_words,
    english_number,
    spoken_text,
    ticket_number_words,
    vietnamese_number,
)
from server.domain.errors import InvalidValue


def say(words: list[str], language: str = "vi") -> str:
    return spoken_text(words, language)


@pytest.mark.parametrize(
    ("n", "spoken"),
    [
        (0, "không"),
        (3, "ba"),
        (10, "mười"),
        (11, "mười một"),
        (15, "mười lăm"),
        (20, "hai mươi"),
        (21, "hai mươi mốt"),
        (24, "hai mươi bốn"),
        (25, "hai mươi lăm"),
        (100, "một trăm"),
        (105, "một trăm linh năm"),
        (110, "một trăm mười"),
        (115, "một trăm mười lăm"),
        (999, "chín trăm chín mươi chín"),
        (1000, "một nghìn"),
        (1005, "một nghìn không trăm linh năm"),
        (1012, "một nghìn không trăm mười hai"),
        (1100, "một nghìn một trăm"),
        (21_001, "hai mươi mốt nghìn không trăm linh một"),
        (999_999, "chín trăm chín mươi chín nghìn chín trăm chín mươi chín"),
    ],
)
def test_vietnamese_numbers_are_read_as_people_say_them(n: int, spoken: str) -> None:
    assert say(vietnamese_number(n)) == spoken


@pytest.mark.parametrize(
    ("n", "spoken"),
    [(0, "zero"), (12, "twelve"), (40, "forty"), (105, "one hundred five"), (1012, "one thousand twelve")],
)
def test_english_numbers(n: int, spoken: str) -> None:
    assert say(english_number(n), "en") == spoken


@pytest.mark.parametrize(
    ("number", "spoken"),
    [
        ("A012", "a mười hai"),
        ("B105", "bê một trăm linh năm"),
        ("C1000", "xê một nghìn"),
        ("A000", "a không"),
        ("K7", "ca bảy"),
        ("A1B012", "a một bê mười hai"),  # digits inside a prefix are read one by one
        ("123", "một trăm hai mươi ba"),  # no prefix
    ],
)
def test_ticket_numbers_are_read_letter_by_letter_then_as_a_number(number: str, spoken: str) -> None:
    assert say(ticket_number_words(number, "vi")) == spoken


def test_a_call_is_the_invitation_the_number_and_the_counter() -> None:
    words = call_words("A012", 3, "vi")
    assert PAUSE in words
    assert say(words) == "Mời công dân có số thứ tự a mười hai đến quầy số ba"
    assert say(call_words("A012", 12, "en"), "en") == "Number ay twelve please go to counter twelve"


def test_every_word_a_reading_can_use_has_a_clip() -> None:
    for language in ("vi", "en"):
        for number in ("A012", "Z999999", "B105", "C1000", "Y21001", "W15"):
            for counter in (1, 15, 21, 105, 999):
                assert set(call_words(number, counter, language)) - {PAUSE} <= set(CLIPS[language])


@pytest.mark.parametrize("number", ["", "a012", "A-12", "A 12", "Á12", "A" * 17])
def test_what_is_not_a_ticket_number_is_refused(number: str) -> None:
    with pytest.raises(InvalidValue):
        ticket_number_words(number, "vi")


def test_numbers_out_of_range_and_unknown_languages_are_refused() -> None:
    with pytest.raises(InvalidValue):
        vietnamese_number(1_000_000)
    with pytest.raises(InvalidValue):
        call_words("A012", 3, "fr")
