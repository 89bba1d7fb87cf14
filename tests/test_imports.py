"""sim imports what it depends on, not another library's vendored copies or private modules.

joblib 1.6 stopped vendoring cloudpickle, and every sweep failed on
``from joblib.externals import cloudpickle`` (issue 21). A dependency's vendored or
private modules can go in any release; sim depends on what it uses (``cloudpickle``,
``loky``) and declares it in ``pyproject.toml``. The one exception is Hydra, whose
basic sweeper sim extends (Hydra offers no public module for it): Hydra is pinned to
one release, so its private modules cannot change under sim without a deliberate bump
that runs these tests.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted([*(ROOT / "sim").rglob("*.py"), *(ROOT / "hydra_plugins").rglob("*.py")])
OWN = ("sim", "hydra_plugins.sim_plugins")

# Private modules of exactly pinned dependencies, each with its reason and the pin it rests on.
ALLOWED_PRIVATE = {
    "hydra._internal.core_plugins.basic_sweeper": ("hydra-core", "CheckedSweeper extends Hydra's basic sweeper"),
    "hydra._internal.config_loader_impl": ("hydra-core", "a job's overrides applied as Hydra applies them"),
}
VENDORED = re.compile(r"(^|\.)(externals|_vendor|vendor|vendored|_vendored|extern)(\.|$)")


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every module a file imports (at any level, with ``importlib.import_module`` of a literal too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def offending(path: Path) -> list[str]:
    """The imports of ``path`` that reach into a dependency's vendored or private modules (one per line)."""
    bad: dict[int, str] = {}
    for line, name in imported_modules(path):
        parts = name.split(".")
        if parts[0] in sys.stdlib_module_names or parts[0] == "sim" or name.startswith(OWN):
            continue
        if VENDORED.search(name):
            bad.setdefault(line, f"{path.relative_to(ROOT)}:{line}: {name} (a vendored copy)")
            continue
        private = next((i for i, p in enumerate(parts) if p.startswith("_") and not p.startswith("__")), None)
        if private is None:
            continue
        module = ".".join(parts[: private + 1])
        if not any(module == m or module.startswith(m + ".") for m in ALLOWED_PRIVATE) and not any(
            m.startswith(module + ".") for m in ALLOWED_PRIVATE
        ):
            bad.setdefault(line, f"{path.relative_to(ROOT)}:{line}: {name} (a private module)")
    return list(bad.values())


def test_no_import_of_a_dependencys_vendored_or_private_modules():
    bad = [b for path in SOURCES for b in offending(path)]
    assert not bad, "import what sim depends on instead:\n" + "\n".join(bad)


def test_the_check_sees_the_imports_it_is_for(tmp_path):
    """The check itself fails on what broke the sweeps, at any level of a file."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "def f():\n    from joblib.externals import cloudpickle\n"
        "import joblib.externals.loky.backend.context\n"
        "from hydra_plugins.hydra_joblib_launcher._core import process_joblib_cfg\n"
        "import importlib\nimportlib.import_module('pip._vendor.rich')\n"
        "from hydra._internal.core_plugins.basic_sweeper import BasicSweeper\n"
        "import cloudpickle, loky\n"
    )
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        bad = offending(probe)
    finally:
        ROOT = saved
    assert sorted(b.split(":")[1] for b in bad) == ["2", "3", "4", "6"], bad


def test_allowed_private_modules_rest_on_an_exact_pin():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = {re.split(r"[=<>!~\[ ]", d)[0].lower(): d for d in deps}
    for module, (dist, _why) in ALLOWED_PRIVATE.items():
        assert re.fullmatch(rf"{dist}==[\w.]+", pins.get(dist, "")), f"{module} needs {dist} pinned with =="
        assert any(module in {n for _, n in imported_modules(p)} for p in SOURCES), f"{module} is no longer used"


def test_what_sim_imports_directly_is_declared():
    """cloudpickle and loky are imported by sim itself, so they are sim's own dependencies."""
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = {re.split(r"[=<>!~\[ ]", d)[0].lower() for d in deps}
    used = {n.split(".")[0] for p in SOURCES for _, n in imported_modules(p)}
    for module in ("cloudpickle", "loky"):
        assert module in used and module in names, module
