"""xlwings is imported in one module only, and the add-in code reaches the database only through services."""
from __future__ import annotations

import ast
from pathlib import Path

BACKEND = Path(__file__).resolve().parents[2] / "backend"


def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
    return out


def test_only_the_bridge_imports_xlwings():
    importers = sorted(str(p.relative_to(BACKEND)) for p in BACKEND.rglob("*.py")
                       if any(m == "xlwings" or m.startswith("xlwings.") for m in _imports(p)))
    assert importers == ["addin/bridge.py"]


def test_addin_code_never_touches_the_database_directly():
    files = list((BACKEND / "addin").glob("*.py")) + [BACKEND / "api" / "routes" / "addin.py"]
    offenders = {str(p.relative_to(BACKEND)): sorted(m for m in _imports(p) if m.startswith(("backend.db", "sqlalchemy")))
                 for p in files}
    assert {k: v for k, v in offenders.items() if v} == {}
