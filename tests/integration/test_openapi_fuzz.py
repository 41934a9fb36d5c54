"""Schemathesis against ``/api/v1/openapi.json``: generated requests (valid and invalid) for every operation
of the published document, sent over HTTP to a live server with a seeded site and an admin's token, so that
they get past authentication. No answer may be a 5xx, and every answer must match the document: a
documented status, its content type and its schema. A bounded number of examples per operation keeps the
run short."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from server.app import create_app
from server.services.sites.config_file import load_config
from tests.booking import booking_config
from tests.conftest import FAST_HASH, LiveServer, World

EXAMPLES_PER_OPERATION = 15
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def live_api(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[dict[str, Any]]:
    """One live server for the whole module (per test worker): what the operations change stays."""
    folder = tmp_path_factory.mktemp("fuzz")
    shutil.copy(sqlite_template, folder / "luot.sqlite3")
    app = create_app(
        {
            "LUOT_INSTANCE_PATH": str(folder / "instance"),
            "LUOT_DATABASE_URL": f"sqlite:///{folder / 'luot.sqlite3'}",
            "LUOT_PASSWORD_HASH": FAST_HASH,
            "LUOT_RATE_LIMITS": False,
            "SECRET_KEY": "test-secret",
            "LUOT_ENV": "test",
            "TESTING": True,
        }
    )
    extension = app.extensions["luot"]
    load_config(extension.uow(), booking_config(), extension.now())
    world = World(app)
    admin = world.staff("admin", sites=())
    kiosk = world.device("kiosk")
    world.issue(kiosk)
    server = LiveServer(app).start()
    try:
        yield {"url": server.url, "headers": admin}
    finally:
        server.stop()
        extension.close()


def published_document() -> dict[str, Any]:
    """The OpenAPI document as the app publishes it (read at collection time, from a throw-away app)."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "LUOT_INSTANCE_PATH": folder,
                "LUOT_DATABASE_URL": f"sqlite:///{folder}/luot.sqlite3",
                "SECRET_KEY": "openapi-document",
                "LUOT_ENV": "test",
                "TESTING": True,
            }
        )
        try:
            return dict(app.test_client().get("/api/v1/openapi.json").json)
        finally:
            app.extensions["luot"].close()


schema = schemathesis.openapi.from_dict(published_document())


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_within_its_documented_schema(case: Any, live_api: dict[str, Any]) -> None:
    if case.operation.path == "/api/v1/auth/logout":
        headers: dict[str, str] = {}  # logging out would end the other examples' session
    else:
        headers = live_api["headers"]
    response = case.call(base_url=live_api["url"], headers=headers)
    case.validate_response(response, checks=CHECKS)


# -- hostile cases beside the generated ones: JSON nested far too deep, dates at the ends of the calendar --

DOCUMENT = published_document()
DEEP_BODIES = {"array": "[" * 1500 + "]" * 1500, "object": '{"a": ' * 1500 + "1" + "}" * 1500}
EXTREME_DATES = ["0001-01-01", "9999-12-31"]
KNOWN_PATH_VALUES = {"code": "11914"}  # the seeded commune; every id of the seeded site is small


def _operations(wanted: Any) -> list[tuple[str, str]]:
    return sorted(
        (path, method)
        for path, item in DOCUMENT["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and wanted(operation)
    )


def _path_parameters(path: str, operation: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for parameter in [*DOCUMENT["paths"][path].get("parameters", []), *operation.get("parameters", [])]:
        if parameter.get("in") == "path":
            kind = parameter.get("schema", {}).get("type")
            values[parameter["name"]] = KNOWN_PATH_VALUES.get(
                parameter["name"], 1 if kind == "integer" else "X"
            )
    return values


def _date_parameters(operation: dict[str, Any]) -> list[str]:
    return [
        p["name"]
        for p in operation.get("parameters", [])
        if p.get("in") == "query" and p.get("schema", {}).get("format") == "date"
    ]


JSON_OPERATIONS = _operations(lambda op: "application/json" in op.get("requestBody", {}).get("content", {}))
DATED_OPERATIONS = _operations(lambda op: bool(_date_parameters(op)))


@pytest.mark.parametrize("shape", sorted(DEEP_BODIES))
@pytest.mark.parametrize(("path", "method"), JSON_OPERATIONS)
def test_json_nested_beyond_the_limit_is_400_malformed_on_every_operation_with_a_body(
    path: str, method: str, shape: str, live_api: dict[str, Any]
) -> None:
    operation = DOCUMENT["paths"][path][method]
    case = schema[path][method.upper()].Case(path_parameters=_path_parameters(path, operation))
    response = case.call(
        base_url=live_api["url"],
        headers={**live_api["headers"], "Content-Type": "application/json"},
        data=DEEP_BODIES[shape],
    )
    case.validate_response(response, checks=CHECKS)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "malformed_json"


@pytest.mark.parametrize("day", EXTREME_DATES)
@pytest.mark.parametrize(("path", "method"), DATED_OPERATIONS)
def test_dates_at_the_ends_of_the_calendar_are_a_4xx_on_every_operation_that_takes_one(
    path: str, method: str, day: str, live_api: dict[str, Any]
) -> None:
    operation = DOCUMENT["paths"][path][method]
    names = _date_parameters(operation)
    required = {  # the other query parameters it needs (a service id): the seeded site's first
        p["name"]: 1
        for p in operation.get("parameters", [])
        if p.get("in") == "query" and p.get("required") and p["name"] not in names
    }
    queries = [{name: day} for name in names] + ([dict.fromkeys(names, day)] if len(names) > 1 else [])
    queries = [{**required, **query} for query in queries]
    for query in queries:
        case = schema[path][method.upper()].Case(
            path_parameters=_path_parameters(path, operation), query=query
        )
        response = case.call(base_url=live_api["url"], headers=live_api["headers"])
        case.validate_response(response, checks=CHECKS)
        if "/slots" in path:  # the public booking page: simply no slot that day
            assert response.status_code == 200, response.text
        else:  # the reports (statistics, exports, the audit) and the staff's day views
            assert response.status_code == 422, response.text
            assert response.json()["error"]["code"] == "bad_period"
