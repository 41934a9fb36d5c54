"""``luot display …``: which counters and services each wall display shows, and a site's notices.

    luot display list [--site KB1]
    luot display configure 7 --counters Q1,Q2 --services HT,CT --no-sound
    luot display notices show --site KB1
    luot display notices set --site KB1 --text "Chiều thứ Sáu làm việc đến 16:00" [--text …]
    luot display notices set --site KB1 --file notices.yaml     # texts with active periods
    luot display notices set --site KB1                         # no notices

A notices file is a YAML (or JSON) list: ``- {text: "…", starts_at: 2026-11-27T07:00:00+07:00,
ends_at: 2026-11-27T17:00:00+07:00}``; times without an offset are the site's local time.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click
import yaml

from ..domain.notices import NoticeInfo
from .base import Failure, failing_cleanly, open_app


@click.group("display")
def display() -> None:
    """Wall displays: what each shows, and the notices of a site."""


@display.command("list")
@click.option("--site", "site_code", default=None, help="Only the displays of this site.")
@failing_cleanly
def display_list(site_code: str | None) -> None:
    """Enrolled displays with their id and settings."""
    from ..services import display as display_service

    with open_app()[1].read() as session:
        displays = display_service.list_displays(session, site_code)
    for info in displays:
        state = " (revoked)" if info.revoked else ""
        settings = json.dumps(info.settings, ensure_ascii=False)
        click.echo(f"{info.id}\t{info.site_code}\t{info.name}{state}\t{settings}")


def _codes(value: str | None) -> list[str] | None:
    if value is None:
        return None
    if value.strip().lower() in ("", "all"):
        return []
    return [code.strip() for code in value.split(",") if code.strip()]


@display.command("configure")
@click.argument("device_id", type=int)
@click.option("--counters", default=None, help="Counter codes to show, e.g. Q1,Q2 ('all' for every one).")
@click.option("--services", default=None, help="Service codes to show, e.g. HT,CT ('all' for every one).")
@click.option("--sound/--no-sound", default=None, help="Whether this display plays the announcements.")
@failing_cleanly
def display_configure(device_id: int, counters: str | None, services: str | None, sound: bool | None) -> None:
    """Choose the counters and services a display shows; it applies them when it next reconnects."""
    from ..services import display as display_service

    info = display_service.configure_display(
        open_app()[1].uow(), device_id, counters=_codes(counters), services=_codes(services), sound=sound
    )
    click.echo(f"{info.id}\t{info.site_code}\t{info.name}\t{json.dumps(info.settings, ensure_ascii=False)}")


@display.group("notices")
def notices() -> None:
    """The notices a site's displays scroll along their bottom edge."""


@notices.command("show")
@click.option("--site", "site_code", required=True)
@failing_cleanly
def notices_show(site_code: str) -> None:
    """List a site's notices with their active periods."""
    from ..services import display as display_service

    with open_app()[1].read() as session:
        site = display_service.site_by_code(session, site_code)
        listed = display_service.notices_of(session, site)
    for notice in listed:
        period = f"{_when(notice.starts_at)} → {_when(notice.ends_at)}"
        click.echo(f"{notice.text}\t{period}")


def _when(moment: datetime | None) -> str:
    return moment.isoformat(timespec="minutes") if moment else "…"


@notices.command("set")
@click.option("--site", "site_code", required=True)
@click.option("--text", "texts", multiple=True, help="A notice shown at all times (repeat for several).")
@click.option(
    "--file",
    "path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="YAML or JSON list of {text, starts_at, ends_at}.",
)
@failing_cleanly
def notices_set(site_code: str, texts: tuple[str, ...], path: Path | None) -> None:
    """Replace a site's notices (none given: remove them all)."""
    from ..services import display as display_service

    _app, extension = open_app()
    with extension.read() as session:
        site = display_service.site_by_code(session, site_code)
        site_id, zone = site.id, ZoneInfo(site.timezone)
    items = [NoticeInfo(text=text) for text in texts]
    if path is not None:
        items += [_notice(entry, zone) for entry in _read_list(path)]
    stored = display_service.replace_notices(
        display_service.ReplaceNotices(actor=None, site_id=site_id, notices=tuple(items), at=extension.now()),
        extension.uow(),
    )
    click.echo(f"{len(stored)} notice(s) for site {site_code}")


def _read_list(path: Path) -> list[Any]:
    try:
        text = path.read_text(encoding="utf-8")
        document = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (UnicodeDecodeError, yaml.YAMLError, json.JSONDecodeError) as exc:
        raise Failure(f"{path} cannot be read: {exc}") from exc
    if not isinstance(document, list):
        raise Failure(f"{path} must hold a list of notices")
    return document


def _notice(entry: Any, zone: ZoneInfo) -> NoticeInfo:
    if isinstance(entry, str):
        return NoticeInfo(text=entry)
    if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
        raise Failure(f"a notice needs a text: {entry!r}")
    unknown = set(entry) - {"text", "starts_at", "ends_at"}
    if unknown:
        raise Failure(f"unknown notice field(s): {', '.join(sorted(unknown))}")
    return NoticeInfo(
        text=entry["text"],
        starts_at=_moment(entry.get("starts_at"), zone),
        ends_at=_moment(entry.get("ends_at"), zone),
    )


def _moment(value: Any, zone: ZoneInfo) -> datetime | None:
    """A time from the file (YAML reads ISO times itself); no offset means the site's local time."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError as exc:
            raise Failure(f"not a date and time: {value!r}") from exc
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=zone)  # a date alone: from its start
    if not isinstance(value, datetime):
        raise Failure(f"not a date and time: {value!r}")
    return value if value.tzinfo else value.replace(tzinfo=zone)
