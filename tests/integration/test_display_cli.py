"""``luot display``: what each wall display shows, and a site's notices, from the command line
(in-process, :mod:`tests.commands`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from tests.commands import luot, refused, succeeded


@pytest.fixture
def app(make_app: Callable[..., Flask], database_url: str) -> Flask:
    """An installation with the test configuration loaded, on SQLite and on PostgreSQL."""
    return make_app(database_url)


def test_a_display_is_configured_by_its_id(app: Flask) -> None:
    for name in ("Màn hình sảnh", "Màn hình tầng 2"):
        succeeded(luot(app, "device", "add", "--site", "CB", "--kind", "display", "--name", name))
    succeeded(luot(app, "device", "add", "--site", "CB", "--kind", "kiosk", "--name", "Kiosk"))
    listed = succeeded(luot(app, "display", "list", "--site", "CB"))
    rows = [line.split("\t") for line in listed.stdout.splitlines()]
    assert [(row[1], row[2], row[3]) for row in rows] == [
        ("CB", "Màn hình sảnh", "{}"),
        ("CB", "Màn hình tầng 2", "{}"),
    ]

    display_id = rows[1][0]
    configured = succeeded(
        luot(app, "display", "configure", display_id, "--counters", "Q1,Q2", "--services", "HT", "--no-sound")
    )
    settings = json.loads(configured.stdout.split("\t")[3])
    assert settings == {"counters": ["Q1", "Q2"], "services": ["HT"], "sound": False}
    again = succeeded(luot(app, "display", "configure", display_id, "--counters", "all"))
    assert json.loads(again.stdout.split("\t")[3]) == {"counters": [], "services": ["HT"], "sound": False}

    refused(luot(app, "display", "configure", display_id, "--counters", "Q9"), "Q9")
    kiosk_id = next(
        line.split("\t")[0]
        for line in succeeded(luot(app, "device", "list")).stdout.splitlines()
        if "\tkiosk\t" in line
    )
    assert "no display" in refused(luot(app, "display", "configure", kiosk_id, "--sound")).lower()


def test_notices_are_set_from_texts_or_a_file_with_periods(app: Flask, tmp_path: Path) -> None:
    simple = succeeded(
        luot(app, "display", "notices", "set", "--site", "CB", "--text", "Xin chào", "--text", "Cảm ơn")
    )
    assert "2 notice(s)" in simple.stdout
    shown = succeeded(luot(app, "display", "notices", "show", "--site", "CB"))
    assert shown.stdout.splitlines() == ["Xin chào\t… → …", "Cảm ơn\t… → …"]

    path = tmp_path / "notices.yaml"
    path.write_text(
        "- Chiều thứ Sáu làm việc đến 16:00\n"
        "- text: Nghỉ Tết Dương lịch\n"
        "  starts_at: 2026-12-28 07:00\n"  # no offset: the site's local time
        "  ends_at: 2027-01-02T00:00:00+07:00\n",
        encoding="utf-8",
    )
    succeeded(luot(app, "display", "notices", "set", "--site", "CB", "--file", str(path)))
    shown = succeeded(luot(app, "display", "notices", "show", "--site", "CB"))
    assert shown.stdout.splitlines() == [
        "Chiều thứ Sáu làm việc đến 16:00\t… → …",
        "Nghỉ Tết Dương lịch\t2026-12-28T07:00+07:00 → 2027-01-02T00:00+07:00",
    ]

    cleared = succeeded(luot(app, "display", "notices", "set", "--site", "CB"))
    assert "0 notice(s)" in cleared.stdout
    assert succeeded(luot(app, "display", "notices", "show", "--site", "CB")).stdout == ""


def test_bad_notices_are_refused_clearly(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "notices.yaml"
    path.write_text(
        "- text: Ngược\n  starts_at: 2026-12-02 08:00\n  ends_at: 2026-12-01 08:00\n", encoding="utf-8"
    )
    refused(
        luot(app, "display", "notices", "set", "--site", "CB", "--file", str(path)), "end after it starts"
    )
    path.write_text("- {title: Sai}\n", encoding="utf-8")
    refused(luot(app, "display", "notices", "set", "--site", "CB", "--file", str(path)), "text")
    refused(luot(app, "display", "notices", "set", "--site", "XX", "--text", "x"), "XX")
