"""Where the project's configuration lives: ``conf/`` (Hydra's config groups) and ``scenarios/`` (presets)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONF_DIR = ROOT / "conf"
SCENARIO_DIR = ROOT / "scenarios"
