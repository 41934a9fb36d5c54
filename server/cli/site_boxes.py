"""``luot site-box``: on the upstream, the token of an intake point's own box, and revoking it."""

from __future__ import annotations

import click

from .base import failing_cleanly, open_app


@click.group("site-box")
def site_box() -> None:
    """Site boxes: intake points served by their own box, attached to this server."""


@site_box.command("add")
@click.option("--site", "site_code", required=True, help="The code of the site its box will serve.")
@failing_cleanly
def site_box_add(site_code: str) -> None:
    """Make SITE a site-box site; prints the box's token (shown once) on standard output.

    From then on this server refuses the writes the box owns for the site (issue, call, serve, rate,
    print) and keeps its bookings; start the box with LUOT_UPSTREAM_URL and LUOT_UPSTREAM_TOKEN."""
    from ..services.site_boxes import links

    _flask_app, extension = open_app()
    link = links.add_link(extension.uow(), site_code, extension.now())
    click.echo(link.token)
    click.echo(f"site {link.site_code} (id {link.site_id}) is now served by its own box", err=True)


@site_box.command("revoke")
@click.option("--site", "site_code", required=True)
@failing_cleanly
def site_box_revoke(site_code: str) -> None:
    """Revoke the box tokens of SITE: its box is refused (401) from now on."""
    from ..services.site_boxes import links

    _flask_app, extension = open_app()
    count = links.revoke_links(extension.uow(), site_code, extension.now())
    click.echo(f"revoked {count} site-box token(s) of {site_code}")
