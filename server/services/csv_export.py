"""The one way Lượt writes CSV: every export (statistics, the ticket log, and any new one) goes through
:func:`csv_text`.

Cells are neutralised against formula injection (OWASP's rule): a text cell that begins with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'``, so that a spreadsheet shows it as
text instead of evaluating it (a dossier code ``=HYPERLINK(…)``, a username ``=cmd|calc``). Only text is
escaped: numbers (a negative figure included) stay numbers, since a spreadsheet cannot read a formula out
of a Python ``int`` or ``float``; a number that arrives as text is text, and escaped like any other.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` as it may go into a CSV cell: empty for None, ``'``-prefixed when text could be a formula."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(rows: Iterable[Sequence[Any]]) -> str:
    """The rows as CSV text (CRLF line ends, every cell through :func:`safe_cell`), with a byte-order mark
    so that spreadsheet programs read it as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return "\ufeff" + out.getvalue()
