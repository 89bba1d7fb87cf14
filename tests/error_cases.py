"""Every bad-input case, with what its error must say: the table behind docs/errors.md.

Run ``python tests/error_cases.py`` to regenerate docs/errors.md from this table;
tests/test_errors.py runs every case and checks the document is up to date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Case:
    """One bad input.

    Attributes:
        name: Short description (the row's title).
        args: Command-line arguments after ``python -m sim``.
        must_say: Words the error message must contain (key, value, what is allowed).
        files: Files to create first, relative to the repository (removed afterwards).
        here: Files to create first in the folder the command runs in.
    """

    name: str
    args: tuple[str, ...]
    must_say: tuple[str, ...]
    files: dict[str, str] = field(default_factory=dict)
    here: dict[str, str] = field(default_factory=dict)


CASES: list[Case] = [
    Case("unknown config group value", ("role=mayor",), ("role", "mayor", "co_producer")),
    Case("unknown arrangement preset", ("arrangement=atlantis",), ("arrangement", "atlantis", "zwartwerken")),
    Case("empty choice of a group", ("role=",), ("role=''", "co_producer")),
    Case(
        "arrangement path out of scenarios/",
        ("arrangement=../conf/experiment/roles",),
        ("arrangement='../conf/experiment/roles'", "scenarios/", "lessons/fish_shop"),
    ),
    Case(
        "arrangement as an absolute path",
        ("arrangement=/etc/passwd",),
        ("arrangement='/etc/passwd'", "scenarios/", "zwartwerken"),
    ),
    Case(
        "arrangement path out of scenarios/ in a sweep",
        ("-m", "arrangement=overlast,../conf/experiment/roles"),
        ("arrangement='../conf/experiment/roles'", "scenarios/"),
    ),
    Case("group choice out of its folder", ("role=../experiment/roles",), ("role='../experiment/roles'", "producer")),
    Case(
        "sweep cells that would share a folder",
        ("-m", "experiment=roles,analytics_ladder"),
        ("sweep cell", "experiment=analytics_ladder", "experiment=roles", "defaults/"),
    ),
    Case(
        "wrong type for a launcher setting",
        ("-m", "role=regulator,producer", "hydra.launcher.n_jobs=many"),
        ("hydra.launcher.n_jobs", "many", "integer"),
    ),
    Case(
        "Hydra's log setting not a logger name (found by tests/test_cli_grammar.py)",
        ("hydra.verbose=[1,1]",),
        ("hydra.verbose", "[1, 1]", "logger's name"),
    ),
    Case(
        "a whole number of sweep workers other than 0",
        ("-m", "role=regulator,producer", "hydra.launcher.n_jobs=0"),
        ("hydra.launcher.n_jobs", "'0'", "other than 0"),
    ),
    Case("unknown regime preset", ("regime=halfway",), ("regime", "halfway", "open_creation_closed_use")),
    Case("unknown analytics level", ("analytics=crystal_ball",), ("analytics", "crystal_ball", "profiling")),
    Case("unknown problem type", ("problem=wicked",), ("problem", "wicked", "knowledge_contested", "unstructured")),
    Case("unknown strategy", ("strategy=muddle_through",), ("strategy", "muddle_through", "shared_discourse")),
    Case(
        "unknown problem type in a sweep",
        ("-m", "problem=structured,wicked", "strategy=broaden_issue"),
        ("problem", "wicked", "values_contested"),
    ),
    Case("contestation out of range", ("problem.contestation=-1",), ("problem.contestation", "-1", "[0, 10]")),
    Case(
        "a strategy's schedule beyond a short run",
        ("strategy=shared_discourse", "run.rounds=20"),
        ("schedule[1].round", "25", "[0, 19]", "run.rounds=20", "strategy=shared_discourse"),
    ),
    Case(
        "a schedule's change of the problem type",
        ("schedule=[{round:10,set:{problem.name:unstructured}}]",),
        ("schedule[0].set.problem.name", "unstructured", "change mid-run"),
    ),
    Case("unknown phase setting", ("regime.use=sometimes",), ("regime.use", "sometimes", "open, restricted, closed")),
    Case(
        "a schedule's change after the last round",
        ("schedule=[{round:60,set:{regime.use:open}}]",),
        ("schedule[0].round", "60", "[0, 49]", "run.rounds=50"),
    ),
    Case(
        "a schedule's change of a key fixed at the start",
        ("schedule=[{round:25,set:{world.places:10}}]",),
        ("schedule[0].set.world.places", "10", "change mid-run"),
    ),
    Case(
        "a schedule's change of an unknown key",
        ("schedule=[{round:25,set:{regime.usee:open}}]",),
        ("schedule[0].set.regime.usee", "framing, collection, interpretation, use"),
    ),
    Case(
        "a schedule's change to a value the key does not allow",
        ("schedule=[{round:25,set:{regime.use:sometimes}}]",),
        ("schedule[0].set.regime.use", "sometimes", "open, restricted, closed"),
    ),
    Case(
        "a schedule's change to an unknown preset",
        ("schedule=[{round:25,set:{role:mayor}}]",),
        ("schedule[0].set.role", "mayor", "facilitator"),
    ),
    Case(
        "a schedule entry with an unknown field",
        ("schedule=[{round:25,sett:{role:producer}}]",),
        ("schedule[0].sett", "round, set or shock"),
    ),
    Case(
        "a schedule's shock out of range",
        ("schedule=[{round:20,shock:{legitimacy:-3}}]",),
        ("schedule[0].shock.legitimacy", "-3", "[-1, 1]"),
    ),
    Case("a schedule that is not a list", ("schedule=5",), ("schedule", "5", "a list")),
    Case("misspelt key", ("run.rouns=5",), ("run.rouns", "rounds")),
    Case("misspelt group key", ("wrold.places=5",), ("wrold.places='5'", "the command line", "world")),
    Case("a group of keys given a value", ("run=3",), ("run", "3", "rounds")),
    Case("deleting a key of the schema", ("~run.rounds",), ("~run.rounds", "run.rounds=", "[1, 100000]")),
    Case(
        "the same key twice", ("run.rounds=5", "run.rounds=6"), ("run.rounds", "run.rounds=5", "run.rounds=6", "once")
    ),
    Case("several values without -m", ("regime.use=open,closed",), ("regime.use", "open,closed", "add -m")),
    Case("unknown launcher", ("hydra/launcher=nope",), ("hydra/launcher", "nope", "basic", "joblib", "local")),
    Case("misspelt subcommand", ("reprot", "x"), ("reprot", "report", "dashboard", "key=value")),
    Case("wrong type (text for a number)", ("run.rounds=many",), ("run.rounds", "many", "integer")),
    Case("wrong type (fraction for a count)", ("run.replications=2.5",), ("run.replications", "2.5", "integer")),
    Case("wrong type (text for a switch)", ("privacy.pseudonymisation=maybe",), ("privacy.pseudonymisation", "maybe")),
    Case("zero rounds", ("run.rounds=0",), ("run.rounds", "0", "[1, 100000]")),
    Case("negative seed", ("run.seed=-1",), ("run.seed", "-1", "[0, 9223372036854775807]")),
    Case("negative count", ("world.actors=-5",), ("world.actors", "-5", "integer")),
    Case("negative count of partners", ("partners.count=-1",), ("partners.count", "-1")),
    Case("probability above 1", ("partners.alignment=1.5",), ("partners.alignment", "1.5", "[0, 1]")),
    Case("probability below 0", ("world.driver_prevalence=-0.1",), ("world.driver_prevalence", "-0.1", "[0, 1]")),
    Case("not a number", ("population.fine=nan",), ("population.fine", "nan")),
    Case("unknown experiment", ("experiment=nope",), ("experiment", "nope", "roles")),
    Case(
        "bad value while showing the config",
        ("--cfg", "job", "regime.use=sometimes"),
        ("regime.use", "sometimes", "open, restricted, closed"),
    ),
    Case("unknown group value while showing the config", ("-c", "job", "role=mayor"), ("role", "mayor", "co_producer")),
    Case(
        "two of Hydra's modes at once",
        ("-m", "--cfg", "job", "role=producer,regulator"),
        ("--cfg --multirun", "one of --run, --multirun"),
    ),
    Case("--resolve without --cfg", ("--resolve",), ("--resolve", "only with --cfg")),
    Case("bad value in a sweep", ("-m", "regime.use=open,sometimes"), ("regime.use", "sometimes", "sweep cell")),
    Case("malformed override syntax", ("regime.use=[open",), ("regime.use",)),
    Case(
        "malformed YAML scenario file",
        ("arrangement=_err_malformed",),
        ("_err_malformed", "line", "well-formed YAML"),
        files={"scenarios/_err_malformed.yaml": "# @package _global_\narrangement: [unclosed\n"},
    ),
    Case(
        "empty scenario file",
        ("arrangement=_err_empty",),
        ("arrangement", "_err_empty", "empty"),
        files={"scenarios/_err_empty.yaml": ""},
    ),
    Case(
        "scenario file that is not a mapping",
        ("arrangement=_err_list",),
        ("arrangement", "_err_list", "mapping"),
        files={"scenarios/_err_list.yaml": "- just\n- a list\n"},
    ),
    Case(
        "out-of-range value in a scenario file",
        ("arrangement=_err_range",),
        ("world.places", "-3", "arrangement preset"),
        files={"scenarios/_err_range.yaml": "# @package _global_\narrangement:\n  name: x\nworld:\n  places: -3\n"},
    ),
    Case(
        "misspelt key in a scenario file",
        ("arrangement=_err_key",),
        ("wrold", "places", "scenarios/_err_key.yaml", "world"),
        files={"scenarios/_err_key.yaml": "# @package _global_\narrangement:\n  name: x\nwrold:\n  places: 3\n"},
    ),
    Case(
        "misspelt key in a group of a scenario file",
        ("arrangement=_err_leaf",),
        ("run.rouns=3", "scenarios/_err_leaf.yaml", "rounds"),
        files={"scenarios/_err_leaf.yaml": "# @package _global_\narrangement:\n  name: x\nrun:\n  rouns: 3\n"},
    ),
    Case(
        "wrong type in a scenario file",
        ("arrangement=_err_type",),
        ("run.rounds='many'", "scenarios/_err_type.yaml", "integer"),
        files={"scenarios/_err_type.yaml": "# @package _global_\narrangement:\n  name: x\nrun:\n  rounds: many\n"},
    ),
    Case(
        "code in a scenario file (unsafe YAML tag)",
        ("arrangement=_err_tag",),
        ("_err_tag", "python/object"),
        files={"scenarios/_err_tag.yaml": "# @package _global_\nrun:\n  rounds: !!python/object/apply:os.getpid []\n"},
    ),
    Case(
        "sweep summary of a missing folder",
        ("sweep", "summarize", "no/such/folder"),
        ("no/such/folder", "not a folder"),
    ),
    Case("sweep summary of a foreign folder", ("sweep", "summarize", "."), ("holds no sweep cells",)),
    Case(
        "report on a missing folder", ("report", "no/such/sweep"), ("no/such/sweep", "does not exist", "sweep folder")
    ),
    Case(
        "report on a foreign folder",
        ("report", "photos"),
        ("photos", "not a sweep folder"),
        here={"photos/cat.txt": "not a sweep"},
    ),
    Case(
        "report on a truncated results file",
        ("report", "sw"),
        ("sw/summary.parquet", "not a readable Parquet"),
        here={"sw/cell/result.json": "{}", "sw/summary.parquet": "PAR1\x00\x01"},
    ),
    Case(
        "report on a results file that is not Parquet",
        ("report", "sw"),
        ("sw/summary.parquet", "Parquet"),
        here={"sw/cell/result.json": "{}", "sw/summary.parquet": "replication,cost\n0,1\n"},
    ),
    Case(
        "lesson with another arrangement",
        ("lesson", "fish_shop", "arrangement=zwartwerken"),
        ("arrangement", "zwartwerken", "lessons/fish_shop"),
    ),
    Case(
        "lesson with the key it runs side by side set",
        ("lesson", "fish_shop", "regime.interpretation=open"),
        ("regime.interpretation", "open", "fish_shop", "on one side"),
    ),
    Case(
        "validate writing into a file, not a folder",
        ("validate", "--out", "notes.txt"),
        ("--out", "notes.txt", "folder"),
        here={"notes.txt": "my notes"},
    ),
    Case(
        "validate some cases over a full report",
        ("validate", "--cases", "performative", "--out", "docs"),
        ("--out", "docs", "full report", "--full"),
        here={
            "docs/validation.md": "# Validation\n\n<!-- Generated by `python -m sim.validate --full`; do not edit"
            " by hand. -->\n"
        },
    ),
    Case(
        "validate an unknown case group", ("validate", "--cases", "astrology"), ("--cases", "astrology", "ensign_equal")
    ),
]


def render() -> str:
    """docs/errors.md: one row per case."""
    lines = [
        "# Error cases",
        "",
        "Generated from `tests/error_cases.py` (run `python tests/error_cases.py`); every row is",
        "a test in `tests/test_errors.py`: the command exits with status 2, prints no traceback,",
        "names what its row says, and writes nothing (no file appears or changes).",
        "",
        "| case | command | the message names |",
        "|---|---|---|",
    ]
    for c in CASES:
        cmd = "python -m sim " + " ".join(c.args)
        if c.files or c.here:
            cmd += " (with " + ", ".join(f"`{p}`" for p in [*c.files, *c.here]) + ")"
        says = ", ".join(f"`{w}`" for w in c.must_say)
        lines.append(f"| {c.name} | `{cmd}` | {says} |")
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    out = Path(__file__).resolve().parent.parent / "docs" / "errors.md"
    out.write_text(render())
    print(f"wrote {out}")
