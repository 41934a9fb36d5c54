"""Signed appointment codes: what a site box checks without its upstream."""

from __future__ import annotations

from datetime import date

from server.domain.appointments import (
    CODE_ALPHABET,
    CODE_LENGTH,
    code_signed_for,
    normalise_code,
    signed_code,
)

SECRET = b"a secret of at least thirty-two characters"
DAY = date(2026, 11, 23)


def test_a_signed_code_checks_out_only_for_its_site_service_day_and_secret() -> None:
    code = signed_code(SECRET, 3, 7, DAY)
    assert len(code) == CODE_LENGTH and all(c in CODE_ALPHABET for c in code)
    assert normalise_code(code.lower()) == code
    assert code_signed_for(SECRET, code, 3, 7, DAY)
    assert not code_signed_for(SECRET, code, 4, 7, DAY)
    assert not code_signed_for(SECRET, code, 3, 8, DAY)
    assert not code_signed_for(SECRET, code, 3, 7, date(2026, 11, 24))
    assert not code_signed_for(b"another secret of thirty-two characters", code, 3, 7, DAY)
    assert not code_signed_for(b"", code, 3, 7, DAY)


def test_few_guesses_pass_the_check() -> None:
    guesses = [signed_code(SECRET, 3, 7, DAY)[:3] + "ACD" for _ in range(2000)]
    passed = sum(code_signed_for(SECRET, g, 3, 7, DAY) for g in guesses)
    assert passed < 10  # one in 15,625 on average
