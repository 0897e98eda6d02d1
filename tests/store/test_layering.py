"""store/ never depends on the UI: tui -> store, never the reverse."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

STORE = Path(__file__).resolve().parents[2] / "store"
FORBIDDEN = ("textual", "tui", "rich")


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_store_module_imports_the_ui() -> None:
    offenders = {
        f"{path.relative_to(STORE.parent)}: {name}"
        for path in STORE.rglob("*.py")
        for name in imported_modules(path)
        if name.split(".")[0] in FORBIDDEN
    }
    assert not offenders


def test_importing_the_whole_store_loads_no_textual() -> None:
    modules = sorted(f"store.{path.stem}" for path in STORE.glob("*.py") if path.stem != "__init__")
    code = "import sys\n" + "".join(f"import {m}\n" for m in modules)
    code += "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'tui')]\nprint(','.join(bad))\n"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=STORE.parent)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
