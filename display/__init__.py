"""The wall display (``/display``): who is called to which counter, shown and announced."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint(
    "display",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/display",
)

from . import routes  # noqa: E402,F401
