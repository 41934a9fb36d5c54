"""Text hygiene: every piece of text that enters Lượt is NFC-normalised and free of control characters."""

from __future__ import annotations

import unicodedata

from .errors import N_, InvalidValue

_ALLOWED_CONTROL = {"\n", "\t"}


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC (composed) form, as Vietnamese text must be stored and printed."""
    return unicodedata.normalize("NFC", text)


def clean_text(text: str, *, field: str, max_length: int, multiline: bool = False) -> str:
    """NFC-normalise and strip ``text``; reject control characters and text longer than ``max_length``."""
    value = nfc(text).strip()
    for char in value:
        if unicodedata.category(char) in {"Cc", "Cs"} and not (multiline and char in _ALLOWED_CONTROL):
            raise InvalidValue(N_("%(field)s contains a control character."), field=field)
    if len(value) > max_length:
        raise InvalidValue(N_("%(field)s is longer than %(max)s characters."), field=field, max=max_length)
    return value
