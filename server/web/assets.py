"""Shared front-end assets: Lượt's own ES modules and the vendored npm packages, served by the app.

Front-end dependencies come from the npm registry, pinned by ``package-lock.json`` and installed into
``node_modules`` by the set-up command; only the files listed in :data:`VENDOR` are served from there.
Nothing is loaded from the internet.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Blueprint, abort, send_from_directory
from flask.typing import ResponseReturnValue

bp = Blueprint(
    "assets",
    __name__,
    static_folder="static/luot",
    static_url_path="/static/luot",
    template_folder="templates",
)

ROOT = Path(__file__).resolve().parents[2]

# public name -> path inside node_modules
VENDOR = {
    "socket.io.esm.min.js": "socket.io-client/dist/socket.io.esm.min.js",
    "socket.io.esm.min.js.map": "socket.io-client/dist/socket.io.esm.min.js.map",
    # Chart.js (MIT): the manager dashboard's charts.
    "chart.umd.min.js": "chart.js/dist/chart.umd.min.js",
    "chart.umd.min.js.map": "chart.js/dist/chart.umd.min.js.map",
    # Be Vietnam Pro (SIL Open Font License), a typeface drawn for Vietnamese.
    **{
        f"be-vietnam-pro-{subset}-{weight}.woff2": (
            f"@fontsource/be-vietnam-pro/files/be-vietnam-pro-{subset}-{weight}-normal.woff2"
        )
        for subset in ("latin", "vietnamese")
        for weight in (400, 700)
    },
}


def node_modules() -> Path:
    return Path(os.environ.get("LUOT_NODE_MODULES", ROOT / "node_modules"))


@bp.route("/static/vendor/<name>")
def vendor(name: str) -> ResponseReturnValue:
    relative = VENDOR.get(name)
    if relative is None:
        abort(404)
    path = node_modules() / relative
    if not path.is_file():
        abort(404)
    return send_from_directory(path.parent, path.name, max_age=3600)


def missing_vendor_files() -> list[str]:
    """Vendored files that are not installed (the set-up command installs them)."""
    return [
        name
        for name, relative in VENDOR.items()
        if not name.endswith(".map") and not (node_modules() / relative).is_file()
    ]
