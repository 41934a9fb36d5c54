"""The ``luot`` command. Every command that touches the database first brings it to the current schema.

The commands live by what they do. Each module imports only :mod:`.base` from this package, and at its
top little more than click, the configuration and the domain: the app, the services and the printers are
imported inside the commands, so that importing the command loads no page package and ``luot --help`` or
``luot kiosk-agent`` start quickly.

- ``early``         gevent's monkey-patching, before any other import, for ``serve`` in gevent mode
- ``base``          the app and database openers, the error decorator, the printer URI check
- ``installation``  ``db``, ``config``, ``procedures``, ``user``, ``device``: setting up an installation
- ``displays``      ``display``: what each wall display shows, and a site's notices
- ``printing``      ``print-test``, ``kiosk-agent``: a kiosk's printer
- ``serving``       ``serve``, ``demo``, ``scheduler``
- ``wsgi``          gunicorn inside ``luot serve`` (imported by ``serving`` alone, when it serves)
- ``backup``        ``backup``, ``restore``
- ``site_boxes``    ``site-box``: intake points served by their own box
"""

from __future__ import annotations

from .early import patch_for_gevent

patch_for_gevent()  # before anything else is imported: gevent mode's monkey-patching, when serving

import click  # noqa: E402

from . import backup, displays, installation, printing, serving, site_boxes  # noqa: E402


@click.group()
@click.version_option(package_name="luot")
def main() -> None:
    """Lượt — queue and appointment system for commune Public Administration Service Centres."""


for _command in (
    installation.db,
    installation.config,
    installation.procedures,
    installation.user,
    installation.device,
    displays.display,
    printing.print_test,
    printing.kiosk_agent,
    serving.serve,
    serving.demo,
    serving.scheduler,
    backup.backup,
    backup.restore,
    site_boxes.site_box,
):
    main.add_command(_command)

__all__ = ["main"]
