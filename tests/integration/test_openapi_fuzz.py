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
