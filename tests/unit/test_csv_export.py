"""The one CSV writer neutralises cells a spreadsheet would read as a formula (OWASP's rule)."""

from __future__ import annotations

import csv
import io

import pytest

from server.services.csv_export import csv_text, safe_cell


@pytest.mark.parametrize("text", ["=1+2", "+1", "-1+2", "@SUM(A1)", "\tcmd", "\rcmd", '=HYPERLINK("x")'])
def test_text_that_a_spreadsheet_would_evaluate_gets_a_leading_quote(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["A001", "Hộ tịch", "", "a=b", "1-2", "'=already"])
def test_other_text_is_left_as_it_is(value: str) -> None:
    assert safe_cell(value) == value


@pytest.mark.parametrize("value", [0, -3, 2.5, -0.5])
def test_numbers_stay_numbers_even_negative_ones(value: float) -> None:
    assert safe_cell(value) == value


def test_the_text_has_a_byte_order_mark_crlf_lines_and_escaped_cells() -> None:
    text = csv_text([("name", "value"), ("=cmd|calc", -4), (None, "\tx")])
    assert text.startswith("\ufeff")
    assert text.endswith("\r\n")
    assert list(csv.reader(io.StringIO(text[1:]))) == [["name", "value"], ["'=cmd|calc", "-4"], ["", "'\tx"]]
