"""Request fields that keep bad input out: bounded ids, clean NFC text, known choices."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate

from ..domain.errors import InvalidValue
from ..domain.text import clean_text

MAX_ID = 2**31 - 1


class Id(fields.Integer):
    """A record id: a positive 32-bit integer (anything larger cannot exist, so it is refused early)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("validate", validate.Range(1, MAX_ID))
        super().__init__(strict=True, **kwargs)


class QueryId(fields.Integer):
    """A record id in a query string, where every value arrives as text (``?counter_id=5``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("validate", validate.Range(1, MAX_ID))
        super().__init__(**kwargs)


class Text(fields.String):
    """Text stored as typed: NFC-normalised, stripped, no control characters, bounded length."""

    def __init__(self, max_length: int = 200, *, multiline: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_length = max_length
        self.multiline = multiline
        self.metadata = {"maxLength": max_length, **self.metadata}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        raw = super()._deserialize(value, attr, data, **kwargs)
        try:
            return clean_text(raw, field=attr or "text", max_length=self.max_length, multiline=self.multiline)
        except InvalidValue as exc:
            raise ValidationError(str(exc)) from exc


def choice(values: list[str], **kwargs: Any) -> fields.String:
    return fields.String(validate=validate.OneOf(values), metadata={"enum": values}, **kwargs)
