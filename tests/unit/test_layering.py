"""Dependencies point inward: the domain imports no framework, database or printer library."""

from __future__ import annotations

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
