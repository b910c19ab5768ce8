"""The engine stays pure: stdlib and engine imports only, no floats, no clock, no I/O, no logging."""

import ast
import pathlib
import sys

ENGINE = pathlib.Path(__file__).resolve().parents[2] / "backend" / "engine"
FORBIDDEN_MODULES = {"time", "logging", "os", "random", "socket", "subprocess", "sqlite3", "io", "pathlib",
                     "threading", "multiprocessing", "urllib", "http", "shutil", "tempfile"}
FORBIDDEN_CALLS = {"float", "open", "print", "input"}
FORBIDDEN_ATTRS = {("datetime", "now"), ("datetime", "utcnow"), ("date", "today"), ("datetime", "today")}


def _modules():
    files = sorted(ENGINE.rglob("*.py"))
    assert files
    return files


def test_engine_imports_only_stdlib_and_engine():
    stdlib = set(sys.stdlib_module_names)
    for path in _modules():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative import: inside the engine by construction
                    continue
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top == "__future__" or top in stdlib or name.startswith("backend.engine"), (path, name)
                assert top not in FORBIDDEN_MODULES, (path, name)


def test_engine_has_no_floats_clock_or_io():
    for path in _modules():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in FORBIDDEN_CALLS, (path, node.lineno, node.func.id)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                assert (node.value.id, node.attr) not in FORBIDDEN_ATTRS, (path, node.lineno)
            if isinstance(node, ast.Constant) and isinstance(node.value, float):
                raise AssertionError(f"float literal in {path}:{node.lineno}")


def test_decimal_context_is_left_untouched():
    import decimal

    from backend.engine.leases import LeasePolicy, compute_schedule, parse_lease
    before = decimal.getcontext().copy()
    compute_schedule(parse_lease({"currency": "USD", "commencement_date": "2024-01-01", "end_date": "2026-12-31",
                                  "discount_rate": "0.05", "payments": [{"from": "2024-01-01", "to": "2026-12-01",
                                                                         "amount": "10", "frequency": "monthly"}]}),
                     LeasePolicy(), "IFRS16")
    after = decimal.getcontext()
    assert (after.prec, after.rounding) == (before.prec, before.rounding)


def _engine_imports(path: pathlib.Path) -> set[str]:
    """Absolute dotted names of the engine modules ``path`` imports (relative imports resolved)."""
    package = list(path.relative_to(ENGINE.parents[1]).with_suffix("").parts[:-1])  # backend, engine, ...
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            out.add(module)
            out.update(f"{module}.{a.name}" for a in node.names)
    return {m for m in out if m.startswith("backend.engine")}


def test_leases_and_revenue_do_not_import_each_other():
    """Shared pieces live at the engine root (inputs, fingerprint, routing, money, ...), never in a sibling."""
    pairs = (("leases", "revenue"), ("revenue", "leases"))
    for pkg, other in pairs:
        files = sorted((ENGINE / pkg).rglob("*.py"))
        assert files
        for path in files:
            bad = {m for m in _engine_imports(path) if m == f"backend.engine.{other}"
                   or m.startswith(f"backend.engine.{other}.")}
            assert not bad, (path, sorted(bad))
