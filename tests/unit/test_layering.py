"""Dependencies point inward: the domain imports no framework, database or printer library."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

FORBIDDEN = ("flask", "sqlalchemy", "escpos", "flask_socketio", "socketio", "marshmallow", "PIL")
DOMAIN = Path(__file__).resolve().parents[2] / "server" / "domain"


def test_domain_imports_no_framework_database_or_printer_library() -> None:
    modules = sorted(f"server.domain.{p.stem}" for p in DOMAIN.glob("*.py") if p.stem != "__init__")
    assert len(modules) >= 8
    script = (
        "import sys\n"
        f"for name in {modules!r}: __import__(name)\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"server.domain pulled in: {result.stdout.strip()}"


ROOT = DOMAIN.parents[1]
ADAPTERS = (
    "server/api",
    "server/realtime",
    "server/jobs",
    "server/web",
    "printers",
    "kiosk",
    "display",
    "staff_ui",
)


def _imported_modules(path: Path) -> set[str]:
    """The absolute names of the modules ``path`` imports (relative imports resolved)."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def test_no_adapter_reaches_into_the_database_models() -> None:
    """The API, Socket.IO, jobs, printers and page packages go through the services, never the models."""
    files = [path for folder in ADAPTERS for path in sorted((ROOT / folder).rglob("*.py"))]
    assert len(files) > 30
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            m for m in _imported_modules(path) if m.startswith("server.db.models")
        )
        for path in files
    }
    assert {path: modules for path, modules in offenders.items() if modules} == {}
