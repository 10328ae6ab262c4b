"""The code's layers (issue 7 item 5, style.md): the domain imports no other layer, services no
views nor FAB security views, and no two packages of app/ import each other, lazily or not."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"
LAYERS = ("domain", "models", "services", "views", "security")
# What each layer may import of app/ besides itself (app.extensions: the db handle).
ALLOWED = {
    "domain": set(),
    "models": {"domain", "extensions"},
    "services": {"domain", "models", "extensions"},
}


def _package(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "app" or len(parts) < 2:
        return None
    return parts[1]


def _imports() -> dict[str, set[tuple[str, str]]]:
    """Package -> (imported package, importing file) over every import of every module,
    including imports inside functions."""
    found: dict[str, set[tuple[str, str]]] = {}
    for path in APP.rglob("*.py"):
        relative = path.relative_to(APP.parent).with_suffix("")
        module = ".".join(relative.parts)
        package = _package(module if path.name != "__init__.py" else module + ".x")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            for name in names:
                target = _package(name)
                if target and package and target != package:
                    found.setdefault(package, set()).add((target, str(relative)))
    return found


def test_the_domain_and_the_services_import_only_the_layers_below():
    imports = _imports()
    wrong = sorted(
        f"{where} imports app.{target}"
        for layer, allowed in ALLOWED.items()
        for target, where in imports.get(layer, ())
        if target not in allowed and _is_module_of_app(target)
    )
    assert not wrong, "layering broken:\n" + "\n".join(wrong)


def _is_module_of_app(name: str) -> bool:
    return (APP / name).is_dir() or (APP / f"{name}.py").exists()


def test_no_two_packages_import_each_other():
    imports = _imports()
    graph = {
        package: {target for target, _ in edges if target in LAYERS}
        for package, edges in imports.items()
        if package in LAYERS
    }
    cycles = []

    def visit(node, stack):
        for nxt in sorted(graph.get(node, ())):
            if nxt in stack:
                cycles.append(" → ".join([*stack[stack.index(nxt) :], nxt]))
            elif len(stack) < len(LAYERS):
                visit(nxt, [*stack, nxt])

    for start in LAYERS:
        visit(start, [start])
    detail = {
        f"app.{package} → app.{target}: {sorted(w for t, w in imports[package] if t == target)}"
        for cycle in cycles
        for package, target in zip(cycle.split(" → "), cycle.split(" → ")[1:], strict=False)
    }
    assert not cycles, (
        "package cycles:\n" + "\n".join(sorted(set(cycles))) + "\n" + "\n".join(sorted(detail))
    )
