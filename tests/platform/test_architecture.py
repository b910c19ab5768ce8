"""The layer table of docs/architecture.md, enforced: every import of every backend module (module
level and inside functions) must be allowed for its layer, and layers must not import each other
in a cycle. Editing the table changes the rule; adding a module outside every layer fails."""
from __future__ import annotations

import ast
import re
import sys
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"


def _layers() -> list[dict]:
    text = DOC.read_text()
    table = text.split("<!-- layers:start -->")[1].split("<!-- layers:end -->")[0]
    rows = [r for r in table.strip().splitlines()[2:] if r.startswith("|")]
    layers = []
    for row in rows:
        name, modules, allowed, forbidden = (c.strip() for c in row.strip("|").split("|"))
        layers.append({"name": name, "patterns": re.findall(r"`([^`]+)`", modules),
                       "allowed": {a.strip() for a in allowed.split(",") if a.strip()},
                       "forbidden": {f.strip() for f in forbidden.split(",") if f.strip()}})
    return layers


LAYERS = _layers()


def layer_of(module: str) -> dict | None:
    for layer in LAYERS:  # a module named exactly wins over a wildcard (backend.api.app is composition)
        if module in layer["patterns"]:
            return layer
    for layer in LAYERS:
        for pattern in layer["patterns"]:
            if module == pattern or fnmatch(module, pattern) or (pattern.endswith(".*") and module == pattern[:-2]):
                return layer
    return None


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, module: str) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out.add(target)
            out.update(f"{target}.{a.name}" for a in node.names)  # `from pkg import module`
    return out


def _backend_modules() -> dict[str, Path]:
    return {_module_name(p): p for p in (ROOT / "backend").rglob("*.py")
            if "migrations" not in p.parts}


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    """The backend module an imported name refers to (longest known prefix)."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in known:
            return candidate
        parts.pop()
    return None


def test_every_backend_module_belongs_to_a_layer():
    missing = sorted(m for m in _backend_modules() if layer_of(m) is None)
    assert not missing, f"modules outside every layer of docs/architecture.md: {missing}"


def test_imports_follow_the_layer_table():
    known = _backend_modules()
    stdlib = set(sys.stdlib_module_names)
    problems = []
    for module, path in sorted(known.items()):
        layer = layer_of(module)
        for name in sorted(_imports(path, module)):
            top = name.split(".")[0]
            if top == "backend":
                target = _resolve(name, known)
                if target is None or target == module:
                    continue
                other = layer_of(target)
                if other is None:
                    continue
                if "everything" not in layer["allowed"] and other["name"] not in layer["allowed"] | {layer["name"]}:
                    problems.append(f"{module} ({layer['name']}) imports {target} ({other['name']})")
            elif top not in stdlib and top != "__future__":
                if "any third-party package" in layer["forbidden"] or top in layer["forbidden"]:
                    problems.append(f"{module} ({layer['name']}) imports {top}")
    assert not problems, "forbidden imports:\n" + "\n".join(problems)


def test_layers_do_not_import_each_other_in_a_cycle():
    known = _backend_modules()
    edges: dict[str, set[str]] = {}
    for module, path in known.items():
        a = layer_of(module)["name"]
        for name in _imports(path, module):
            target = _resolve(name, known) if name.startswith("backend") else None
            if target and target != module:
                b = layer_of(target)["name"]
                if a != b and a != "composition":
                    edges.setdefault(a, set()).add(b)
    seen, stack, cycles = set(), [], []

    def visit(node: str) -> None:
        if node in stack:
            cycles.append(stack[stack.index(node):] + [node])
            return
        if node in seen:
            return
        seen.add(node)
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            visit(nxt)
        stack.pop()

    for node in sorted(edges):
        visit(node)
    assert not cycles, f"layer cycles: {cycles}"


def test_the_rule_catches_a_forbidden_arrow(tmp_path):
    """The checker itself can fail: a services module importing FastAPI is reported."""
    layer = layer_of("backend.services.ledger.journals")
    assert layer["name"] == "services" and "fastapi" in layer["forbidden"]
    assert layer_of("backend.engine.money")["forbidden"] == {"any third-party package"}
    assert "db" not in layer_of("backend.api.routes.leases")["allowed"]
