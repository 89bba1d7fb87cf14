"""The package's imports run one way, and no module is a room too large to read.

Layers, lowest first (a module may import its own layer and those below it, at any
level of a file: a function-level import counts the same as one at the top):

0. the schema and the compiled kernels (``sim.config``, ``sim.kernels``, ``sim.sampling``,
   ``sim.console``, and ``sim.glossary``: what the choices are called and what range each
   result can take);
1. the world and the rich actors (``sim.world``, ``sim.agents``);
2. the model (``sim.model``);
3. one run as a plain function, its totals and files (``sim.run``, ``sim.hydra_conf``);
4. sweeps (``sim.sweep``);
5. what users call: the command line, the report, the dashboard and its views, the
   lessons, validation (``sim.cli``, ``sim.report``, ``sim.app``, ``sim.views``,
   ``sim.lessons``, ``sim.validation``).

Within a layer there must be no circle either.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "sim"
LAYERS = {
    "sim.config": 0,
    "sim.kernels": 0,
    "sim.sampling": 0,
    "sim.schedule": 1,  # the policy schedule: checked against the world (sim.world)
    "sim.console": 0,
    "sim.glossary": 0,
    "sim._forkserver": 4,  # the sweep's fork server: a worker, readied
    "sim.world": 1,
    "sim.agents": 1,
    "sim.model": 2,
    "sim.run": 3,
    "sim.hydra_conf": 3,
    "sim.config_errors": 3,
    "sim.paths": 0,
    "sim.sweep": 4,
    "sim.cli": 5,
    "sim.report": 5,
    "sim.app": 5,
    "sim.dashboard": 5,
    "sim.play": 5,
    "sim.views": 5,
    "sim.lessons": 5,
    "sim.validation": 5,
    "sim.validate": 5,
    "sim.__main__": 5,
    "sim": 0,  # the package's own __init__: its version
}
MAX_LINES = 400


def module_name(path: Path) -> str:
    """``sim/model/framing.py`` -> ``sim.model.framing``; a package's ``__init__`` is the package."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer(module: str) -> int:
    """The layer of a module of sim: that of its longest prefix in LAYERS."""
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        prefix = ".".join(parts[:n])
        if prefix in LAYERS:
            return LAYERS[prefix]
    raise AssertionError(f"{module} has no layer: add it to tests/test_layout.py")


def modules() -> dict[str, Path]:
    """Every module of the package, by name."""
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The modules of sim that a file imports, at any level of the file (not those for type hints only)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    tree = ast.parse(path.read_text(), str(path))
    typing_only = {  # imports under ``if TYPE_CHECKING:`` never run: annotations only
        id(n)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for stmt in block.body
        for n in ast.walk(stmt)
    }
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from sim.report import data`` imports the module sim.report.data; only a name
            # that is no module (``from sim.report import main``) comes from the package itself.
            subs = [f"{base}.{a.name}" for a in node.names]
            targets = subs if all(t in known for t in subs) else [base, *subs]
        else:
            continue
        for t in targets:
            # the module itself, or the package whose attribute is imported
            while t and t not in known:
                t = t.rpartition(".")[0]
            if t and t.startswith("sim") and t != name:
                found.add(t)
    return found


def graph() -> dict[str, set[str]]:
    """Module -> the modules of sim it imports."""
    mods = modules()
    return {m: imports_of(p, set(mods)) for m, p in mods.items()}


def test_imports_never_go_up_a_layer():
    upward = [
        f"{m} (layer {layer(m)}) imports {t} (layer {layer(t)})"
        for m, targets in graph().items()
        for t in sorted(targets)
        if layer(t) > layer(m)
    ]
    assert not upward, "\n".join(upward)


def test_no_import_circle():
    # A package's __init__ importing its modules is an edge like any other; a module
    # importing its own package back (``from sim.model import ...`` inside sim/model/)
    # would close a circle.
    edges = graph()
    seen: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[str] = []

    def visit(node: str) -> None:
        seen[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if seen.get(nxt) == 1:
                cycles.append(" -> ".join([*stack[stack.index(nxt) :], nxt]))
            elif nxt not in seen:
                visit(nxt)
        stack.pop()
        seen[node] = 2

    for node in sorted(edges):
        if node not in seen:
            visit(node)
    assert not cycles, "\n".join(cycles)


def test_no_module_over_400_lines_without_saying_why():
    long = []
    for m, p in modules().items():
        lines = len(p.read_text().splitlines())
        doc = ast.get_docstring(ast.parse(p.read_text())) or ""
        if lines > MAX_LINES and "one piece" not in doc.lower():
            long.append(f"{m}: {lines} lines (split it, or say in its docstring why it must be one piece)")
    assert not long, "\n".join(long)
