"""Enrolment codes: short, unambiguous, typed in any case, hashed with the installation's secret."""

from __future__ import annotations

import pytest

from server.domain import enrolment
from server.domain.errors import InvalidValue


def test_codes_are_eight_characters_without_look_alikes() -> None:
    codes = {enrolment.new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 8
        assert not set(code) & set("01OILU")


def test_a_code_is_read_in_any_case_with_or_without_its_hyphen() -> None:
    assert enrolment.normalise_code(" abcd-efgh ") == "ABCDEFGH"
    assert enrolment.normalise_code("ABCD EFGH") == "ABCDEFGH"
    assert enrolment.display_code("ABCDEFGH") == "ABCD-EFGH"


@pytest.mark.parametrize("raw", ["", "ABC", "ABCDEFGHJ", "ABCD-EFG0", "ABCDEFGI"])
def test_anything_else_is_not_a_code(raw: str) -> None:
    with pytest.raises(InvalidValue):
        enrolment.normalise_code(raw)


def test_the_stored_hash_depends_on_the_secret_and_not_on_the_spelling() -> None:
    first = enrolment.code_hash(b"secret-1", "abcd-efgh")
    assert first == enrolment.code_hash(b"secret-1", "ABCDEFGH")
    assert first != enrolment.code_hash(b"secret-2", "ABCDEFGH")
    assert "ABCDEFGH" not in first
