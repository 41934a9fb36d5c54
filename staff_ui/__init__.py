"""The staff tablet (``/staff``) and the manager's views (``/manage``)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint(
    "staff_ui", __name__, template_folder="templates", static_folder="static", static_url_path="/static/staff"
)

from . import routes  # noqa: E402,F401
