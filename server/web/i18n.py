"""Strings for the front ends, from the same gettext catalogs as the server.

A page declares its strings with ``lazy_gettext`` (so ``pybabel extract`` finds them) and embeds
:func:`catalog` as JSON; its script can then switch between Vietnamese and English without a reload.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import force_locale

LANGUAGES = ("vi", "en")


def catalog(strings: Mapping[str, object]) -> dict[str, dict[str, str]]:
    """``{"vi": {key: text}, "en": {key: text}}`` for the given lazy strings."""
    result: dict[str, dict[str, str]] = {}
    for language in LANGUAGES:
        with force_locale(language):
            result[language] = {key: str(text) for key, text in strings.items()}
    return result
