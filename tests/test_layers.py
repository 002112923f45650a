"""The house rules, read from the source with `ast`: imports only go down the layer table (lazy imports inside
functions and the package `__init__` count), no import cycle, argparse only at the CLI edge, no module over 500 lines.

The layer table is the one in the README's Layout section.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "wikidiff"
MAX_LINES = 500

#: (module or package prefix, layer); the longest matching prefix wins. Lowest layer first.
LAYERS: dict[str, int] = {
    "wikidiff._version": 0, "wikidiff.errors": 0, "wikidiff.config": 0, "wikidiff.model": 0, "wikidiff.codes": 0,
    "wikidiff.data": 0, "wikidiff._cli_start": 0,  # stdlib only: the start-up Ctrl-C handler of the command line
    "wikidiff.sources": 1,
    "wikidiff.text": 2,
    "wikidiff.cite": 3,
    "wikidiff.diff": 4,
    "wikidiff.checks": 5,
    "wikidiff.auditor": 6, "wikidiff.rescue": 6, "wikidiff.fetch": 6, "wikidiff.verify": 6,
    "wikidiff.restored": 6,  # flags an audit's text as restored from earlier revisions (beside verify, rescue)
    "wikidiff.report": 7,
    "wikidiff.histories": 8,
    "wikidiff.patrol": 9, "wikidiff.web": 9,
    "wikidiff.cli": 10, "wikidiff.commands": 10, "wikidiff.__main__": 10,
}
#: the package __init__ (this name exactly): the library's front door, above everything it re-exports
ROOT_LAYER = 10
#: only these may import argparse (the CLI edge)
ARGPARSE_ALLOWED = ("wikidiff.cli", "wikidiff.commands", "wikidiff.__main__")



def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> int | None:
    if module == "wikidiff":
        return ROOT_LAYER
    best = None
    for prefix, layer in LAYERS.items():
        if (module == prefix or module.startswith(prefix + ".")) and (best is None or len(prefix) > len(best[0])):
            best = (prefix, layer)
    return best[1] if best else None


def _resolve(importer: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = importer.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _is_type_checking(node: ast.AST) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _nodes(tree: ast.AST, typing: bool) -> list[ast.AST]:
    """All nodes of a tree; without `typing`, not those inside `if TYPE_CHECKING:` (never run)."""
    out = []
    todo = [tree]
    while todo:
        node = todo.pop()
        out.append(node)
        if not typing and _is_type_checking(node):
            assert isinstance(node, ast.If)
            todo.extend(node.orelse)
            continue
        todo.extend(ast.iter_child_nodes(node))
    return out


def imports_of(name: str, path: Path, known: set[str], typing: bool = True) -> set[str]:
    """Every wikidiff module `name` imports, wherever in the file (in functions too; in TYPE_CHECKING blocks
    with `typing`: the layers count them, the cycle check does not, since they never run).

    `from pkg import x` imports pkg.x where x is a submodule, else a name defined by pkg's __init__ (an import of
    pkg). Parent packages run first in any case; that alone is not an import of what their __init__ defines.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    is_package = path.name == "__init__.py"
    out: set[str] = set()
    for node in _nodes(tree, typing):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(name, is_package, node)
            subs = {f"{target}.{a.name}" for a in node.names} & known
            out |= subs
            if len(subs) < len(node.names):
                out.add(target)
    return {m for m in out if m == "wikidiff" or m.startswith("wikidiff.")}


def _existing(module: str, known: set[str]) -> str:
    """The module an import lands in: itself, or the nearest enclosing package that exists."""
    while module not in known and "." in module:
        module = module.rsplit(".", 1)[0]
    return module


def graph(typing: bool = True) -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {name: {_existing(m, known) for m in imports_of(name, path, known, typing)} - {name}
            for name, path in mods.items()}


def upward_imports() -> set[tuple[str, str]]:
    out = set()
    for importer, targets in graph().items():
        low = layer_of(importer)
        for target in targets:
            high = layer_of(target)
            if low is not None and high is not None and high > low:
                out.add((importer, target))
    return out


def cycles() -> set[tuple[str, ...]]:
    """The strongly connected components with more than one module (Tarjan's algorithm, iterative), over the
    imports that run (type-checking-only imports left out)."""
    g = graph(typing=False)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[tuple[str, ...]] = set()
    counter = 0
    for root in g:
        if root in index:
            continue
        work = [(root, iter(sorted(g[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in g:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(g[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    m = stack.pop()
                    on_stack.discard(m)
                    component.append(m)
                    if m == node:
                        break
                if len(component) > 1:
                    found.add(tuple(sorted(component)))
    return found


def test_every_module_has_a_layer():
    unplaced = {m for m in modules() if layer_of(m) is None}
    assert not unplaced, f"not in the layer table LAYERS: {sorted(unplaced)}"


def test_imports_only_go_down():
    wrong = [f"{importer} (layer {layer_of(importer)}) imports {target} (layer {layer_of(target)})"
             for importer, target in sorted(upward_imports())]
    assert not wrong, "imports may only go to the same layer or lower (LAYERS):\n" + "\n".join(wrong)


def test_no_import_cycles():
    found = cycles()
    assert not found, f"import cycles: {sorted(found)}"


def test_argparse_only_at_the_cli_edge():
    users = set()
    for name, path in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            if "argparse" in names and not name.startswith(ARGPARSE_ALLOWED):
                users.add(name)
    assert not users, f"argparse outside the CLI: {sorted(users)}"


def test_no_module_over_500_lines():
    long = {name for name, path in modules().items()
            if len(path.read_text(encoding="utf-8").splitlines()) > MAX_LINES}
    assert not long, f"over {MAX_LINES} lines: {sorted(long)}"


# --- the checker itself, on small made-up trees -----------------------------------------------------------------

def test_resolve_relative_imports():
    node = ast.parse("from ..model import Flag").body[0]
    assert isinstance(node, ast.ImportFrom)
    assert _resolve("wikidiff.checks.refs", False, node) == "wikidiff.model"
    assert _resolve("wikidiff.checks", True, node) == "wikidiff.model"
    node = ast.parse("from . import __version__").body[0]
    assert isinstance(node, ast.ImportFrom)
    assert _resolve("wikidiff.sources.api", False, node) == "wikidiff.sources"
    node = ast.parse("from .. import __version__").body[0]
    assert isinstance(node, ast.ImportFrom)
    assert _resolve("wikidiff.sources.api", False, node) == "wikidiff"


def test_layer_table_places_prefixes():
    assert layer_of("wikidiff.report.html.page") == 7
    assert layer_of("wikidiff.codes") == 0
    assert layer_of("wikidiff") == 10
    assert layer_of("wikidiff.histories.reverts") == 8
    assert layer_of("wikidiffx") is None


def test_lazy_imports_and_package_init_are_seen(tmp_path):
    src = tmp_path / "m.py"
    src.write_text("def f():\n    from .. import __version__\n    import wikidiff.report\n", encoding="utf-8")
    found = imports_of("wikidiff.sources.m", src, {"wikidiff", "wikidiff.report"})
    assert found == {"wikidiff", "wikidiff.report"}
    src.write_text("from .. import config\nfrom ..report import html\n", encoding="utf-8")
    found = imports_of("wikidiff.sources.m", src, {"wikidiff", "wikidiff.config", "wikidiff.report",
                                                  "wikidiff.report.html"})
    assert found == {"wikidiff.config", "wikidiff.report.html"}
    src.write_text("import typing\nif typing.TYPE_CHECKING:\n    from ..report import x\n", encoding="utf-8")
    assert imports_of("wikidiff.sources.m", src, {"wikidiff.report"}) == {"wikidiff.report"}
    assert imports_of("wikidiff.sources.m", src, {"wikidiff.report"}, typing=False) == set()
