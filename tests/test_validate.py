"""The fast validation cases pass; the validation command writes its report and rejects bad input."""

import pytest

from sim import validate

FAST = [g.key for g in validate.GROUPS if g.fast]


@pytest.mark.parametrize("key", FAST)
def test_fast_validation_case_passes(key):
    result = validate.run_group(key, jobs=1)
    assert result.rows
    for row in result.rows:
        assert row.passed, (row.case, row.expected, row.measured)


def test_every_case_has_a_scenario_and_the_essay_claims_are_all_there():
    from sim.hydra_conf import SCENARIO_DIR

    for group in validate.GROUPS:
        if not group.key.startswith("claim"):
            for name in group.scenarios:
                assert (SCENARIO_DIR / "validation" / f"{name}.yaml").is_file(), name
    assert sorted(c.number for c in validate.CLAIMS) == list(range(1, 9))


def test_report_has_the_table_and_figures(tmp_path):
    assert validate.main(["--cases", "false_discovery", "--out", str(tmp_path), "--jobs", "1"]) == 0
    text = (tmp_path / "validation.md").read_text()
    assert "| case | source | setup | expected | measured | pass |" in text
    assert "False discovery over 100 null features" in text and "| pass |" in text
    assert "not run (needs `--full`)" in text  # the other cases are listed, not silently dropped
    png = (tmp_path / "validation" / "false_discovery.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(tmp_path.rglob("*.tmp"))  # atomic writes leave no temp files


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--cases", "nope"], "--cases=nope is not allowed"),
        (["--jobs", "0"], "--jobs=0 is not allowed"),
        (["--jobs", "two"], "invalid int value"),
        (["--full", "--cases", "performative"], "exclude each other"),
        (["--frobnicate"], "unrecognized arguments"),
    ],
)
def test_bad_input_exits_2_with_a_message(argv, message, capsys):
    assert validate.main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_unwritable_out_exits_2(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert validate.main(["--cases", "performative", "--out", str(blocker)]) == 2
    assert "--out=" in capsys.readouterr().err


def test_sim_validate_subcommand_lists_the_cases(capsys):
    from sim.cli import main

    assert main(["validate", "--list"]) == 0
    out = capsys.readouterr().out
    assert "ensign_equal" in out and "claim8" in out
