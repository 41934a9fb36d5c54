"""Strings for the front ends, from the same gettext catalogs as the server.

A page declares its strings with ``lazy_gettext`` (so ``pybabel extract`` finds them) and renders with
:func:`render_page`, which embeds them in both languages as JSON; its script can then switch between
Vietnamese and English without a reload.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import render_template, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

LANGUAGES = ("vi", "en")

# Strings every screen uses (the connection mark, the language switch, durations).
COMMON: dict[str, Any] = {
    "offline": _l("Connection to the server lost — reconnecting…"),
    "refused": _l("This device is no longer enrolled. Ask the centre's administrator."),
    "retrying": _l("The network is slow — trying again…"),
    "language.vi": _l("Tiếng Việt"),
    "language.en": _l("English"),
    "minutes": _l("%(n)s min"),
}

# The staff sign-in form (luot/signin.html with /static/luot/signin.js), for the pages that include it;
# each page adds its own "signin.title".
SIGN_IN: dict[str, Any] = {
    "signin.username": _l("Username"),
    "signin.password": _l("Password"),
    "signin.submit": _l("Sign in"),
    "signin.expired": _l("Your session has ended. Please sign in again."),
    "signin.signed_out": _l("You are signed out."),
    "signin.unreachable": _l("The server could not be reached. Check the network and try again."),
    "me.sign_out": _l("Sign out"),
}


def catalog(strings: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """``{"vi": {key: text}, "en": {key: text}}`` for the given lazy strings."""
    result: dict[str, dict[str, str]] = {}
    for language in LANGUAGES:
        with force_locale(language):
            result[language] = {key: str(text) for key, text in strings.items()}
    return result


def render_page(template: str, strings: Mapping[str, Any], **context: Any) -> str:
    """Render a screen with its strings (and the common ones) in both languages.

    Screens start in Vietnamese whatever the browser prefers (a kiosk's or display's browser is often
    set up in English); ``?lang=en`` or the screen's own switch changes that.
    """
    asked = request.args.get("lang")
    language = asked if asked in LANGUAGES else "vi"
    with force_locale(language):
        return render_template(template, strings=catalog({**COMMON, **strings}), lang=language, **context)
