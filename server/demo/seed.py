"""Seed the demo ward: its sites, staff accounts and enrolled devices, with credentials generated on the
first run and kept in the instance folder (``demo-credentials.json``, readable only by its owner)."""

from __future__ import annotations

import json
import os
import secrets
import string
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select

from ..config import instance_path
from ..db.models import Counter, Device, Site
from ..domain.access import DeviceKind, Role
from ..extension import Luot
from ..services.accounts import auth as auth_service
from ..services.sites.config_file import load_config, read_config_file
from ..services.sites.procedures import load_procedures, read_procedure_file
from .appointments import seed_appointments

CONFIG = Path(__file__).with_name("bac_ninh.yaml")
PROCEDURES = Path(__file__).with_name("procedures.yaml")  # the procedure guide (docs/procedures.md)
CREDENTIALS = "demo-credentials.json"


def demo_overrides(folder: Path | None = None) -> dict[str, Any]:
    """The demo runs on its own SQLite file in the instance folder (``folder``, or the environment's),
    whatever the environment says about the database."""
    folder = folder or instance_path()
    return {"LUOT_DATABASE_URL": f"sqlite:///{folder / 'demo.sqlite3'}", "LUOT_ENV": "demo"}


def _password() -> str:
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(14))
        if any(c.isdigit() for c in candidate) and any(c.isupper() for c in candidate):
            return candidate


def _clerk_name(site_code: str, counter_number: int) -> str:
    return f"{site_code.lower()}.q{counter_number}"


def seed(app: Flask, extension: Luot) -> dict[str, Any]:
    """Load the demo configuration and make sure every account and device exists; returns credentials."""
    load_config(extension.uow(), read_config_file(CONFIG), extension.now())
    load_procedures(extension.uow(), read_procedure_file(PROCEDURES), extension.now())
    seed_appointments(extension)
    path = Path(app.instance_path) / CREDENTIALS
    if path.exists():
        return dict(json.loads(path.read_text()))
    with extension.read() as session:
        sites = list(session.scalars(select(Site).order_by(Site.id)))
        counters = list(session.scalars(select(Counter).order_by(Counter.site_id, Counter.number)))
        existing_devices = list(session.scalars(select(Device)))
    now = extension.now()
    site_codes = [s.code for s in sites]
    credentials: dict[str, Any] = {
        "admin": {"username": "admin", "password": _password()},
        "manager": {"username": "quanly", "password": _password()},
        "clerk_password": _password(),
        "clerks": [],
        "devices": [],
    }
    add = auth_service.add_user
    add(
        extension.uow(),
        extension.hasher,
        username="admin",
        password=credentials["admin"]["password"],
        role=Role.ADMIN,
        site_codes=[],
        at=now,
        display_name="Quản trị hệ thống",
    )
    add(
        extension.uow(),
        extension.hasher,
        username="quanly",
        password=credentials["manager"]["password"],
        role=Role.MANAGER,
        site_codes=site_codes,
        at=now,
        display_name="Giám đốc Trung tâm",
    )
    code_of = {s.id: s.code for s in sites}
    for counter in counters:
        username = _clerk_name(code_of[counter.site_id], counter.number)
        add(
            extension.uow(),
            extension.hasher,
            username=username,
            password=credentials["clerk_password"],
            role=Role.CLERK,
            site_codes=[code_of[counter.site_id]],
            at=now,
            display_name=f"Cán bộ {counter.name}",
        )
        credentials["clerks"].append(
            {"username": username, "site": code_of[counter.site_id], "counter_id": counter.id}
        )
    if existing_devices:
        with extension.uow() as uow:  # the tokens were lost with the file: enrol afresh
            for dev in uow.session.scalars(select(Device).where(Device.revoked_at.is_(None))):
                dev.revoked_at = now
            uow.commit()
    for site in sites:
        for kind in (DeviceKind.KIOSK, DeviceKind.DISPLAY):
            printer = site.default_printer if kind is DeviceKind.KIOSK else None
            name = f"{'Kiosk' if kind is DeviceKind.KIOSK else 'Màn hình'} {site.code}"
            info, token = auth_service.add_device(
                extension.uow(), site_code=site.code, kind=kind, name=name, printer_uri=printer, at=now
            )
            credentials["devices"].append(
                {"site": site.code, "site_id": site.id, "kind": kind.value, "token": token, "id": info.id}
            )
        first = next((c for c in counters if c.site_id == site.id), None)
        if first is not None:  # a satisfaction pad facing the citizens of the site's first counter
            info, token = auth_service.add_device(
                extension.uow(),
                site_code=site.code,
                kind=DeviceKind.RATING,
                name=f"Đánh giá {site.code} {first.code}",
                printer_uri=None,
                at=now,
                counter_code=first.code,
            )
            credentials["devices"].append(
                {"site": site.code, "site_id": site.id, "kind": "rating", "token": token, "id": info.id}
            )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(credentials, handle, ensure_ascii=False, indent=2)
    return credentials


def describe(credentials: dict[str, Any], base: str) -> str:
    """The demo's URLs and credentials, as printed when it starts."""
    lines = ["", "Lượt demo — Phường Kinh Bắc, Tỉnh Bắc Ninh (two intake points)", ""]
    for dev in credentials["devices"]:
        page = {"kiosk": "kiosk", "display": "display", "rating": "rate"}.get(dev["kind"], dev["kind"])
        lines.append(f"  {page:8} {dev['site']}: {base}/{page}?token={dev['token']}")
    lines += [
        "",
        f"  staff tablet:  {base}/staff",
        f"  manager:       {base}/manage",
        f"  booking page:  {base}/book",
        f"  API:           {base}/api/v1/sites   (OpenAPI: {base}/api/v1/openapi.json)",
        "",
        f"  admin     {credentials['admin']['username']} / {credentials['admin']['password']}",
        f"  manager   {credentials['manager']['username']} / {credentials['manager']['password']}",
        "  clerks    " + ", ".join(c["username"] for c in credentials["clerks"]),
        f"            password for every clerk: {credentials['clerk_password']}",
        "",
        "  (kept in the instance folder, demo-credentials.json)",
        "  printed tickets: PNG files in the instance folder's printers/tickets/ (kiosks' and desks')",
        "",
    ]
    return "\n".join(lines)
