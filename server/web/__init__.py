"""The web front ends (kiosk, display, staff tablet), their shared assets and translations."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from display import bp as display_bp
    from kiosk import bp as kiosk_bp
    from staff_ui import bp as staff_bp

    from . import headers
    from .assets import bp as assets_bp

    headers.init_app(app)

    app.register_blueprint(assets_bp)
    app.register_blueprint(kiosk_bp)
    app.register_blueprint(display_bp)
    app.register_blueprint(staff_bp)
