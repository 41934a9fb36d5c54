"""The ``luot`` command's package stands apart: importing it loads no page package, its modules import one
another only through ``base`` (no circle), and the page packages hold no command-line code."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / "server" / "cli"
PAGES = ("kiosk", "display", "staff_ui")


def module_level_imports(path: Path) -> list[tuple[int, str]]:
    """``(level, module)`` of each import at module level (imports inside commands are not counted)."""
    found: list[tuple[int, str]] = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            found += [(0, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found += [(node.level, f"{node.module or ''}.{alias.name}".strip(".")) for alias in node.names]
    return found


def test_importing_the_command_loads_no_page_package() -> None:
    script = (
        "import sys\n"
        "import server.cli\n"
        f"print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in {PAGES!r})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "", f"importing server.cli loaded {result.stdout.strip()}"


def test_the_command_modules_import_one_another_only_through_base() -> None:
    modules = sorted(path for path in CLI.glob("*.py") if path.stem not in ("__init__", "__main__"))
    assert {path.stem for path in modules} >= {"base", "installation", "displays", "printing", "serving"}
    for path in modules:
        imports = module_level_imports(path)
        siblings = {name.split(".")[0] for level, name in imports if level == 1}
        assert siblings <= ({"base"} if path.stem != "base" else set()), (path.name, siblings)
        assert not [name for level, name in imports if level == 0 and name.startswith("server.cli")]


def test_nothing_outside_the_package_imports_the_command() -> None:
    importers = []
    for path in ROOT.glob("*/**/*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in (".venv", "node_modules", "tests") or path.is_relative_to(CLI):
            continue
        for level, name in module_level_imports(path):
            absolute = name if level == 0 else ".".join([*parts[: len(parts) - level], name])
            if absolute.startswith("server.cli") and path != ROOT / "server" / "__main__.py":
                importers.append(str(path.relative_to(ROOT)))
    assert importers == []


def test_page_packages_hold_no_command_line_code() -> None:
    with_click = [
        str(path.relative_to(ROOT))
        for package in PAGES
        for path in (ROOT / package).rglob("*.py")
        if any(name.split(".")[0] == "click" for _level, name in module_level_imports(path))
    ]
    assert with_click == []
