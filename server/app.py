"""The application factory: one Flask app serves the API, Socket.IO and the web front ends."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import Babel

from . import jsonutil
from .config import (
    DEMO_SECRET_FILE,
    SECRET_FILE,
    PublicAddress,
    check_secret,
    from_environment,
    load_secret_key,
    printer_networks,
)
from .db.engine import Database
from .extension import Luot
from .services.core.bus import MessageBus

LANGUAGES = ("vi", "en")


class JSONProvider(DefaultJSONProvider):
    """ISO 8601 datetimes (Flask's default is RFC 822) and readable Vietnamese (no ``\\u`` escapes); nothing
    nested deeper than :data:`jsonutil.MAX_DEPTH` is parsed."""

    ensure_ascii = False
    sort_keys = False

    @staticmethod
    def default(o: Any) -> Any:
        return jsonutil.default(o)

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """``request.get_json`` and ``flask.json.loads``: refuse a text nested too deep (a ValueError, so a
        request's body answers 400) before parsing it."""
        jsonutil.check_depth(s)
        return super().loads(s, **kwargs)


def select_locale() -> str:
    """Vietnamese unless the client asks for English (``?lang=en`` or ``Accept-Language``)."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(LANGUAGES, default="vi") or "vi"


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app. ``overrides`` replace configuration read from the environment (tests)."""
    config = from_environment(overrides)
    app = Flask(__name__, instance_path=config["LUOT_INSTANCE_PATH"], instance_relative_config=True)
    app.json_provider_class = JSONProvider
    app.json = JSONProvider(app)
    config["LUOT_PRINTER_NETWORKS"] = printer_networks(config.get("LUOT_PRINTER_NETWORKS") or ())
    app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        demo = config["LUOT_ENV"] == "demo"
        app.config["SECRET_KEY"] = load_secret_key(
            Path(app.instance_path), DEMO_SECRET_FILE if demo else SECRET_FILE
        )
    if config["LUOT_ENV"] == "production":
        check_secret(app.config["SECRET_KEY"], Path(app.instance_path))
    app.config.update(
        BABEL_DEFAULT_LOCALE="vi",
        BABEL_DEFAULT_TIMEZONE="Asia/Ho_Chi_Minh",
        MAX_CONTENT_LENGTH=1024 * 1024,
    )
    Babel(app, locale_selector=select_locale)
    if config["LUOT_PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = int(config["LUOT_PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]

    from printers.drivers import PrinterFolders
    from printers.spooler import Spooler, SpoolerSettings

    from .jobs.outbox import Outbox
    from .realtime import FollowUpReader, socketio
    from .realtime import init_app as init_realtime
    from .realtime.agent import push_job
    from .realtime.publisher import Publisher

    init_realtime(app)
    bus = MessageBus()
    extension = Luot(
        database=Database(config["LUOT_DATABASE_URL"]),
        bus=bus,
        publisher=Publisher(socketio, follow_up=FollowUpReader(app), gate=app.extensions["luot.room_gate"]),
        hasher=PasswordHasher(**config["LUOT_PASSWORD_HASH"]),
        secret=app.config["SECRET_KEY"].encode(),
        public=PublicAddress(config["LUOT_PUBLIC_URL"]),
    )
    extension.spooler = Spooler(
        extension,
        folders=PrinterFolders.from_setting(config.get("LUOT_PRINTER_DIR"), app.instance_path),
        settings=SpoolerSettings.from_config(config),
        agent_push=push_job,
    )
    outbox = Outbox()
    # The after-commit bus: what a committed transaction did reaches the screens, the printers and the
    # outbox, in commit order, whoever ran the use case.
    bus.subscribe("socket.io", extension.publisher.publish)
    bus.subscribe("print spooler", extension.spooler.handle)
    bus.subscribe("outbox", outbox.handle)
    bus.subscribe("socket.io sessions", app.extensions["luot.socket_sessions"].handle)  # revoked tokens
    app.extensions["luot"] = extension
    app.extensions["luot.outbox"] = outbox
    _wire_site_boxes(app, extension)

    from . import api, web

    api.init_app(app)
    web.init_app(app)
    logging.getLogger("luot").setLevel(logging.INFO)
    return app


def _wire_site_boxes(app: Flask, extension: Luot) -> None:
    """Every server refuses the writes a site's box owns; a box (``LUOT_UPSTREAM_URL``) journals its
    site's changes for the upstream, in the transaction that makes them."""
    from .services.site_boxes.journal import Journal, install_tracker
    from .services.site_boxes.upstream import Guard

    install_tracker(extension.database)
    extension.database.before_numbering.append(Guard(extension.database))
    if app.config.get("LUOT_UPSTREAM_URL"):
        journal = Journal(extension.database)
        extension.database.before_commit.append(journal)
        app.extensions["luot.site_box"] = journal
