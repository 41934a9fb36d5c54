"""The procedure guide: ``luot procedures load`` in-process (idempotent, hides what left the file, a bad
file names its line and writes nothing) and the public ``GET /api/v1/sites/{id}/procedures``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from server.demo.seed import PROCEDURES
from tests.commands import luot, refused, succeeded
from tests.procedures import GUIDE


@pytest.fixture
def guide(tmp_path: Path) -> Path:
    path = tmp_path / "procedures.yaml"
    path.write_text(GUIDE, encoding="utf-8")
    return path


def codes(client: FlaskClient, site_id: int = 1, **query: int) -> list[str]:
    response = client.get(f"/api/v1/sites/{site_id}/procedures", query_string=query)
    assert response.status_code == 200, response.json
    return [p["code"] for p in response.json]


def test_loading_twice_changes_nothing_an_edit_updates_and_a_procedure_left_out_is_hidden(
    make_app: Callable[..., Flask], database_url: str, guide: Path
) -> None:
    app = make_app(database_url)
    client = app.test_client()
    first = succeeded(luot(app, "procedures", "load", str(guide)))
    assert "created procedure 1.001193" in first.stdout
    assert "2 created, 0 updated, 0 hidden, 0 unchanged" in first.stdout
    again = succeeded(luot(app, "procedures", "load", str(guide)))
    assert again.stdout.strip() == "0 created, 0 updated, 0 hidden, 2 unchanged"

    guide.write_text(GUIDE.replace("Miễn lệ phí", "Miễn lệ phí khi đăng ký đúng hạn"), encoding="utf-8")
    edited = succeeded(luot(app, "procedures", "load", str(guide)))
    assert "updated procedure 1.001193" in edited.stdout and "0 created, 1 updated" in edited.stdout
    assert client.get("/api/v1/sites/1/procedures").json[0]["fee"] == "Miễn lệ phí khi đăng ký đúng hạn"

    guide.write_text(GUIDE.split('  - code: "2.000908"')[0], encoding="utf-8")
    shorter = succeeded(luot(app, "procedures", "load", str(guide)))
    assert "hidden (not in the file): procedure 2.000908" in shorter.stdout
    assert codes(client) == ["1.001193"]

    guide.write_text(GUIDE, encoding="utf-8")  # named again: shown again, the same record
    back = succeeded(luot(app, "procedures", "load", str(guide)))
    assert "0 created, 1 updated, 0 hidden, 1 unchanged" in back.stdout
    assert codes(client) == ["1.001193", "2.000908"]


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("procedures:\n  - code: X1\n    service: HT\n   name: A\n", 4, "expected <block end>"),
        (GUIDE.replace('    name: "Chứng thực bản sao từ bản chính"\n', ""), 14, "procedures.1.name"),
        (GUIDE.replace("service: CT", "service: ZZ"), 15, "no site has a service of code ZZ"),
        (GUIDE.replace("sites: [CB]", "sites: [CB, CH]"), 16, "CH: it has no service CT"),
        (GUIDE.replace('"2.000908"', '"1.001193"'), 14, "appears twice"),
        ("procedures:\n  - code: X1\n    service: HT\n    name: A\n    documents: []\n", 5, "documents"),
    ],
    ids=["yaml-syntax", "missing-name", "unknown-service", "site-without-service", "twice", "no-papers"],
)
def test_a_bad_file_names_its_line_and_writes_nothing(
    make_app: Callable[..., Flask], sqlite_url: str, guide: Path, text: str, line: int, fragment: str
) -> None:
    app = make_app(sqlite_url)
    succeeded(luot(app, "procedures", "load", str(guide)))
    guide.write_text(text, encoding="utf-8")
    refused(luot(app, "procedures", "load", str(guide)), f"at line {line}:", fragment)
    assert codes(app.test_client()) == ["1.001193", "2.000908"]  # the earlier load, untouched


def test_a_json_file_is_accepted_and_its_errors_name_the_line(
    make_app: Callable[..., Flask], sqlite_url: str, tmp_path: Path
) -> None:
    app = make_app(sqlite_url)
    path = tmp_path / "procedures.json"
    entry = {"code": "1.001193", "service": "HT", "name": "Đăng ký khai sinh", "documents": ["Tờ khai"]}
    path.write_text(json.dumps({"procedures": [entry]}, ensure_ascii=False, indent=1), encoding="utf-8")
    assert "1 created" in succeeded(luot(app, "procedures", "load", str(path))).stdout
    path.write_text('{"procedures": [\n  {"code": "1.001193",\n   "service": }\n]}', encoding="utf-8")
    refused(luot(app, "procedures", "load", str(path)), "at line 3:")


def test_the_example_file_loads_on_the_demo_configuration(
    make_app: Callable[..., Flask], sqlite_url: str
) -> None:
    from server.demo.seed import CONFIG

    app = make_app(sqlite_url, config=None)
    succeeded(luot(app, "config", "load", str(CONFIG)))
    example = Path(__file__).resolve().parents[2] / "deploy" / "procedures.example.yaml"
    assert example.resolve() == PROCEDURES.resolve()
    loaded = succeeded(luot(app, "procedures", "load", str(example)))
    assert "0 updated, 0 hidden, 0 unchanged" in loaded.stdout


def test_the_guide_is_public_in_both_languages_per_site_and_service(
    client: FlaskClient, app: Flask, guide: Path
) -> None:
    succeeded(luot(app, "procedures", "load", str(guide)))
    sites = {s["code"]: s["id"] for s in client.get("/api/v1/sites").json}
    services = {s["code"]: s["id"] for s in client.get(f"/api/v1/sites/{sites['CB']}/services").json}

    response = client.get(
        f"/api/v1/sites/{sites['CB']}/procedures", query_string={"service_id": services["HT"]}
    )
    assert response.status_code == 200 and "public" in response.headers["Cache-Control"]
    assert response.json == [
        {
            "code": "1.001193",
            "service_id": services["HT"],
            "service_code": "HT",
            "name": "Đăng ký khai sinh",
            "name_en": "Birth registration",
            "documents": [
                {"name": "Tờ khai đăng ký khai sinh", "name_en": "Birth registration form"},
                {"name": "Giấy chứng sinh", "name_en": ""},
            ],
            "fee": "Miễn lệ phí",
            "fee_en": "Free",
            "processing_time": "Trong ngày",
            "processing_time_en": "The same day",
            "note": "",
            "note_en": "",
        }
    ]
    assert codes(client, sites["CB"]) == ["1.001193", "2.000908"]
    assert codes(client, sites["CH"]) == ["1.001193"]  # the same service code at the other intake point
    assert codes(client, sites["CB"], service_id=services["DD"]) == []

    for path, status in [
        (f"/api/v1/sites/{sites['CH']}/procedures?service_id={services['CT']}", 404),  # not CH's service
        ("/api/v1/sites/999/procedures", 404),
        (f"/api/v1/sites/{sites['CB']}/procedures?service_id=abc", 422),
    ]:
        answer = client.get(path)
        assert answer.status_code == status and "code" in answer.json["error"], (path, answer.json)
