"""The code's layers hold: core knows no feature, a feature imports only those listed before it in
``residency.features.FEATURES``, and no feature's modules import each other in a circle.

The imports are read with ``ast`` from every module of ``residency/``, those inside functions
included (a lazy import is still a dependency).
"""

import ast
from pathlib import Path

import pytest

from residency.features import FEATURES

PACKAGE = Path(__file__).resolve().parents[2] / "residency"
#: What every layer may use: core's mechanisms, the unbound extensions, the signals' names.
BASE = {"core", "extensions", "signals"}
#: The composition roots: they assemble everything and belong to no layer.
ROOTS = {"residency", "residency.models", "residency.features"}


def module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(name):
    """The ``residency`` modules that module ``name`` imports (a ``from package import module``
    counts as importing that module, not the package)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in MODULES else base)
    return {module for module in found if module in MODULES and module != name}


def layer_of(module):
    """``core``, a feature's name, a base module's name, or None for a composition root."""
    if module in ROOTS:
        return None
    return module.split(".")[1]


def test_every_package_of_residency_is_core_a_feature_or_a_base_module():
    """A new package must be added to FEATURES (or be a base module) for the layers to hold."""
    layers = {layer_of(module) for module in MODULES} - {None}
    assert layers <= set(FEATURES) | BASE, f"not in FEATURES: {sorted(layers - set(FEATURES) - BASE)}"


def test_features_offer_init_app():
    import importlib

    for name in FEATURES:
        assert callable(getattr(importlib.import_module(f"residency.{name}"), "init_app", None)), name


def test_core_imports_no_feature():
    """Core holds mechanisms only: it imports core, the extensions and nothing else of residency."""
    offences = [
        f"{module} imports {target}"
        for module in MODULES if layer_of(module) in {"core", "extensions"}
        for target in imported_modules(module) if layer_of(target) not in {"core", "extensions"}
    ]
    assert not offences, "\n".join(offences)


def test_features_import_only_what_is_listed_before_them():
    """A feature uses the base and the features below it; a lower feature never imports a higher one."""
    rank = {name: index for index, name in enumerate(FEATURES)}
    offences = []
    for module in MODULES:
        layer = layer_of(module)
        if layer not in rank:
            continue
        for target in imported_modules(module):
            other = layer_of(target)
            if other is None:
                offences.append(f"{module} imports the composition root {target}")
            elif other in rank and rank[other] > rank[layer]:
                offences.append(f"{module} ({layer}) imports {target} ({other}, listed above it)")
    assert not offences, "\n".join(offences)


def find_cycle(graph):
    """A list of modules forming a cycle in ``graph`` ({module: set of modules}), or None."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = dict.fromkeys(graph, WHITE)
    stack = []

    def visit(node):
        colour[node] = GREY
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if colour.get(target, BLACK) == GREY:
                return stack[stack.index(target):] + [target]
            if colour.get(target) == WHITE:
                cycle = visit(target)
                if cycle:
                    return cycle
        stack.pop()
        colour[node] = BLACK
        return None

    for node in sorted(graph):
        if colour[node] == WHITE:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


@pytest.mark.parametrize("layer", ["core", *FEATURES])
def test_no_circle_of_imports_inside_a_layer(layer):
    """Inside a feature the modules form a tree: the blueprint is defined once and the route
    modules hang from it; functions are passed down rather than imported upwards."""
    inside = {module for module in MODULES if layer_of(module) == layer}
    graph = {module: imported_modules(module) & inside for module in inside}
    cycle = find_cycle(graph)
    assert cycle is None, " -> ".join(cycle)


def test_the_checks_see_a_violation():
    """The checker itself finds an upward import and a circle (so the tests above can fail)."""
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
    assert "residency.applications.models" in imported_modules("residency.applications.hooks")
    assert layer_of("residency.applications.hooks") == "applications"
