"""The citizen's touch screen (``/kiosk``), a ticket's live status page (``/t/<public_code>``) and the
counter's rating pad (``/rate``)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint(
    "kiosk", __name__, template_folder="templates", static_folder="static", static_url_path="/static/kiosk"
)

from . import booking, rating, remote, routes  # noqa: E402,F401
