"""README.md's worked comparison: its figures are what its own snippet computes (docs/readme_figures.py)."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "docs" / "readme_figures.py"
ENV = {**os.environ, "PYTHONWARNINGS": "ignore"}


def _script():
    spec = importlib.util.spec_from_file_location("readme_figures", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_figures_are_what_the_snippet_computes():
    # The real command, as a developer runs it: the two runs of the README (about 4 s).
    r = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], cwd=ROOT, capture_output=True, text=True, env=ENV, timeout=600
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "figures are current" in r.stdout


def test_the_table_is_rendered_from_the_printed_intervals_and_replaced_between_the_markers():
    rf = _script()

    class Cfg:  # the parts of a SimConfig the table's first line states
        class run:  # noqa: N801
            seed, replications, rounds = 3, 4, 5

        class world:  # noqa: N801
            actors = 6000

    result = {
        "printed": {"benefit": (-1234.4, -2000.6, -468.2), "legitimacy": (0.01234, -0.0001, 0.0247)},
        "means": {"closed": {"benefit": 5000.0, "legitimacy": 0.2}, "public": {"benefit": 3765.6, "legitimacy": -0.5}},
        "configs": [Cfg, Cfg],
    }
    block = rf.render(result)
    assert block.splitlines()[0].startswith("With the defaults (seed 3, 4 replications, 6,000 actors, 5 rounds")
    assert "| benefit | 5,000 | 3,766 | \u22121,234 (\u22122,001 to \u2212468) |" in block
    assert "| legitimacy (mean per round) | 0.2000 | \u22120.5000 | +0.0123 (\u22120.0001 to +0.0247) |" in block
    text = f"intro\n{rf.BEGIN}\nold table\n{rf.END}\nafter\n"
    new = rf.replace(text, block)
    assert new.startswith(f"intro\n{rf.BEGIN}\nWith the defaults") and new.endswith(f"\n\n{rf.END}\nafter\n")
    assert rf.replace(new, block) == new  # written once, current after
    assert "about a third of the benefit is lost" in rf.claims(result)  # 1234/5000 is a quarter, not a third
