"""What the ``luot`` commands share: the app opener and the check of a printer URI option."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from ..config import InsecureConfiguration

if TYPE_CHECKING:
    from flask import Flask

    from ..extension import Luot


def open_app(overrides: dict[str, Any] | None = None) -> tuple[Flask, Luot]:
    """The app, with its database brought to the current schema."""
    from ..app import create_app
    from ..db.migrate import upgrade

    try:
        app = create_app(overrides)
    except InsecureConfiguration as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    extension: Luot = app.extensions["luot"]
    upgrade(extension.database)
    return app, extension


def printer_uri(_ctx: click.Context | None, _param: click.Parameter | None, value: str | None) -> str | None:
    """A click callback: the URI checked against the drivers (a usage error otherwise)."""
    from printers.drivers import InvalidPrinterUri, parse

    if value is None or value == "":
        return None
    try:
        return parse(value).uri
    except InvalidPrinterUri as exc:
        raise click.BadParameter(str(exc)) from exc
