"""``luot display``: what each wall display shows, and a site's notices, from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.conftest import TEST_CONFIG
from tests.integration.test_cli import luot


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    folder = tmp_path / "instance"
    config = tmp_path / "sites.yaml"
    config.write_text(yaml.safe_dump(TEST_CONFIG, allow_unicode=True), encoding="utf-8")
    assert luot(folder, "config", "load", str(config)).returncode == 0
    return folder


def test_a_display_is_configured_by_its_id(instance: Path) -> None:
    for name in ("Màn hình sảnh", "Màn hình tầng 2"):
        added = luot(instance, "device", "add", "--site", "CB", "--kind", "display", "--name", name)
        assert added.returncode == 0, added.stderr
    luot(instance, "device", "add", "--site", "CB", "--kind", "kiosk", "--name", "Kiosk")
    listed = luot(instance, "display", "list", "--site", "CB")
    assert listed.returncode == 0, listed.stderr
    rows = [line.split("\t") for line in listed.stdout.splitlines()]
    assert [(row[1], row[2], row[3]) for row in rows] == [
        ("CB", "Màn hình sảnh", "{}"),
        ("CB", "Màn hình tầng 2", "{}"),
    ]

    display_id = rows[1][0]
    configured = luot(
        instance, "display", "configure", display_id, "--counters", "Q1,Q2", "--services", "HT", "--no-sound"
    )
    assert configured.returncode == 0, configured.stderr
    settings = json.loads(configured.stdout.split("\t")[3])
    assert settings == {"counters": ["Q1", "Q2"], "services": ["HT"], "sound": False}
    again = luot(instance, "display", "configure", display_id, "--counters", "all")
    assert json.loads(again.stdout.split("\t")[3]) == {"counters": [], "services": ["HT"], "sound": False}

    unknown = luot(instance, "display", "configure", display_id, "--counters", "Q9")
    assert unknown.returncode == 2 and "Q9" in unknown.stderr
    kiosk = luot(instance, "display", "configure", "3", "--sound")
    assert kiosk.returncode == 2 and "no display" in kiosk.stderr.lower()
    assert "Traceback" not in unknown.stderr + kiosk.stderr


def test_notices_are_set_from_texts_or_a_file_with_periods(instance: Path, tmp_path: Path) -> None:
    simple = luot(
        instance, "display", "notices", "set", "--site", "CB", "--text", "Xin chào", "--text", "Cảm ơn"
    )
    assert simple.returncode == 0, simple.stderr
    assert "2 notice(s)" in simple.stdout
    shown = luot(instance, "display", "notices", "show", "--site", "CB")
    assert shown.stdout.splitlines() == ["Xin chào\t… → …", "Cảm ơn\t… → …"]

    path = tmp_path / "notices.yaml"
    path.write_text(
        "- Chiều thứ Sáu làm việc đến 16:00\n"
        "- text: Nghỉ Tết Dương lịch\n"
        "  starts_at: 2026-12-28 07:00\n"  # no offset: the site's local time
        "  ends_at: 2027-01-02T00:00:00+07:00\n",
        encoding="utf-8",
    )
    from_file = luot(instance, "display", "notices", "set", "--site", "CB", "--file", str(path))
    assert from_file.returncode == 0, from_file.stderr
    shown = luot(instance, "display", "notices", "show", "--site", "CB")
    assert shown.stdout.splitlines() == [
        "Chiều thứ Sáu làm việc đến 16:00\t… → …",
        "Nghỉ Tết Dương lịch\t2026-12-28T07:00+07:00 → 2027-01-02T00:00+07:00",
    ]

    cleared = luot(instance, "display", "notices", "set", "--site", "CB")
    assert cleared.returncode == 0 and "0 notice(s)" in cleared.stdout
    assert luot(instance, "display", "notices", "show", "--site", "CB").stdout == ""


def test_bad_notices_are_refused_clearly(instance: Path, tmp_path: Path) -> None:
    path = tmp_path / "notices.yaml"
    path.write_text(
        "- text: Ngược\n  starts_at: 2026-12-02 08:00\n  ends_at: 2026-12-01 08:00\n", encoding="utf-8"
    )
    backwards = luot(instance, "display", "notices", "set", "--site", "CB", "--file", str(path))
    assert backwards.returncode == 2 and "end after it starts" in backwards.stderr
    path.write_text("- {title: Sai}\n", encoding="utf-8")
    wrong = luot(instance, "display", "notices", "set", "--site", "CB", "--file", str(path))
    assert wrong.returncode == 2 and "text" in wrong.stderr
    unknown_site = luot(instance, "display", "notices", "set", "--site", "XX", "--text", "x")
    assert unknown_site.returncode == 2 and "XX" in unknown_site.stderr
    assert "Traceback" not in backwards.stderr + wrong.stderr + unknown_site.stderr
