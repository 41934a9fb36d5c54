"""The published contract: the OpenAPI document, the translation catalogs and the licences we ship with."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "server" / "translations"

CONTRACT_ROUTES = {
    ("get", "/api/v1/health"),
    ("get", "/api/v1/sites"),
    ("get", "/api/v1/sites/{site_id}/services"),
    ("get", "/api/v1/sites/{site_id}/wait"),
    ("get", "/api/v1/tickets/status/{public_code}"),
    ("post", "/api/v1/sites/{site_id}/tickets"),
    ("get", "/api/v1/sites/{site_id}/queue"),
    ("get", "/api/v1/sites/{site_id}/counters"),
    ("post", "/api/v1/counters/{counter_id}/open"),
    ("post", "/api/v1/counters/{counter_id}/close"),
    ("post", "/api/v1/counters/{counter_id}/pause"),
    ("post", "/api/v1/counters/{counter_id}/call-next"),
    ("post", "/api/v1/tickets/{ticket_id}/call"),
    ("post", "/api/v1/tickets/{ticket_id}/recall"),
    ("post", "/api/v1/tickets/{ticket_id}/start"),
    ("post", "/api/v1/tickets/{ticket_id}/complete"),
    ("post", "/api/v1/tickets/{ticket_id}/no-show"),
    ("post", "/api/v1/tickets/{ticket_id}/transfer"),
    ("post", "/api/v1/tickets/{ticket_id}/cancel"),
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/logout"),
    ("get", "/api/v1/me"),
}


def test_openapi_document_describes_every_contract_route(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.")
    published = {(method, path) for path, item in document["paths"].items() for method in item}
    missing = CONTRACT_ROUTES - published
    assert not missing, missing
    issue = document["paths"]["/api/v1/sites/{site_id}/tickets"]["post"]
    assert {"201", "401", "403", "409", "422", "429"} <= set(issue["responses"])
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_every_message_has_a_vietnamese_translation() -> None:
    with (TRANSLATIONS / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    untranslated = [m.id for m in catalog if m.id and not m.string]
    assert not untranslated, untranslated
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not fuzzy, fuzzy


def test_catalog_holds_every_message_of_the_code() -> None:
    method_map = [
        ("**/node_modules/**", "ignore"),
        ("**/.venv/**", "ignore"),
        ("**.py", "python"),
        ("**/templates/**.html", "jinja2"),
    ]
    found = set()
    for folder in ("server", "printers", "kiosk", "display", "staff_ui"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder,
            method_map,
            keywords={
                "_": None,
                "gettext": None,
                "N_": None,
                "lazy_gettext": None,
                "_l": None,
                "ngettext": (1, 2),
            },
        ):
            found.add(message[0] if isinstance(message, tuple) else message)
    with (TRANSLATIONS / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        known = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    missing = sorted(found - known)
    assert not missing, f"run `make translations` and translate: {missing}"


def test_compiled_catalog_matches_its_source() -> None:
    folder = TRANSLATIONS / "vi" / "LC_MESSAGES"
    with (folder / "messages.po").open("rb") as handle:
        source = {m.id: m.string for m in read_po(handle) if m.id}
    with (folder / "messages.mo").open("rb") as handle:
        compiled = {m.id: m.string for m in read_mo(handle) if m.id}
    assert compiled == source, "run `make translations` to compile the catalog"


GPL = re.compile(r"\b(A?GPL|GNU (Affero )?General Public License)\b", re.IGNORECASE)
LGPL = re.compile(r"\bLGPL|Lesser General Public", re.IGNORECASE)


def _runtime_distributions() -> set[str]:
    """The distributions ``luot`` needs at run time (its requirements, recursively, without extras)."""
    seen: set[str] = set()
    pending = ["luot"]
    while pending:
        name = pending.pop()
        key = name.lower().replace("_", "-")
        if key in seen:
            continue
        seen.add(key)
        try:
            requirements = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        for requirement in requirements:
            if "extra ==" in requirement and name != "luot":
                continue
            if "extra ==" in requirement:
                continue
            pending.append(re.split(r"[ ;<>=!~\[(]", requirement, maxsplit=1)[0])
    return seen - {"luot"}


def test_no_gpl_package_at_run_time() -> None:
    offenders = []
    for name in sorted(_runtime_distributions()):
        try:
            metadata = importlib.metadata.metadata(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        texts = [metadata.get("License-Expression") or "", metadata.get("License") or ""]
        texts += [c for c in metadata.get_all("Classifier") or [] if c.startswith("License")]
        text = " ".join(texts)
        if GPL.search(text) and not LGPL.search(text):
            offenders.append(f"{name}: {text[:80]}")
    assert len(_runtime_distributions()) > 20
    assert not offenders, offenders
