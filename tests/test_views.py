"""Sessions, sides and the pictures shared by the dashboard and the lessons."""

import io

import numpy as np
import pytest
from PIL import Image

from sim import views

SMALL = ["world.actors=4000", "run.rounds=8"]


@pytest.fixture(scope="module")
def pair():
    """Two runs of the zwartwerken arrangement, strategy known vs unknown, 8 rounds."""
    session = views.Session(["arrangement=zwartwerken", *SMALL], "known_vs_unknown")
    while not session.done:
        session.step()
    return session


def test_a_contrast_differs_in_its_choice_only(pair):
    left, right = pair.sides
    assert (left.cfg.regime.use, right.cfg.regime.use) == ("open", "closed")
    assert left.cfg.run.seed == right.cfg.run.seed
    # common random numbers: the same world on both sides
    assert np.array_equal(left.model.world.drivers, right.model.world.drivers)
    assert np.array_equal(left.model.actors["gain"], right.model.actors["gain"])
    assert left.title.startswith("Strategy known") and right.title.startswith("Strategy unknown")


def test_sides_step_together_and_stop(pair):
    assert pair.done and pair.round == 8 == pair.rounds
    assert [s.round for s in pair.sides] == [8, 8]
    pair.step()  # nothing after the last round
    assert pair.round == 8


def test_side_records_match_what_the_map_shows(pair):
    for side in pair.sides:
        rec = side.records[-1]
        units = side.place_units()
        cause = side.model.cause_present
        # misallocation is the capacity on circles drawn on tiles without an outline
        assert rec["misallocation"] == pytest.approx(units[~cause].sum() / units.sum())
        assert 0.0 <= rec["top_share"] <= 1.0
        assert np.all(side.place_harm() >= 0)
        assert len(side.believed) == side.round
        assert side.kind(side.believed[-1]) in views.KINDS


def test_account_parts_sum_to_public_value(pair):
    for side in pair.sides:
        total = sum(values for _, _, values in views.account_parts(side))
        np.testing.assert_allclose(total, side.series("public_value"), rtol=1e-9, atol=1e-6)


def test_every_contrast_composes():
    for key, contrast in views.CONTRASTS.items():
        longer = ["run.rounds=30"] if key == "leak" else []  # its schedule acts after round 25
        session = views.Session(["arrangement=overlast", *SMALL, *longer], key)
        assert [s.title for s in session.sides] == [contrast.left[0], contrast.right[0]]


@pytest.mark.parametrize("x", [1e-4, 0.3, 1.0, 1.01, 2.4, 7.0, 99.0, 12345.0])
def test_nice_ceiling(x):
    c = views.nice_ceiling(x)
    mantissa = c / 10 ** np.floor(np.log10(c))
    assert x <= c < 2.5 * x + 1e-12
    assert round(mantissa, 6) in (1.0, 2.0, 5.0)


def test_limits_hold_the_data(pair):
    lo, hi = views.account_limits(pair.sides)
    for side in pair.sides:
        parts = np.array([v for _, _, v in views.account_parts(side)])
        assert np.clip(parts, 0, None).sum(axis=0).max() <= hi
        assert np.clip(parts, None, 0).sum(axis=0).min() >= lo
    lo, hi = views.metric_limits(pair.sides, "evasion_rate")
    assert hi >= 100 * max(s.series("evasion_rate").max() for s in pair.sides)
    assert views.metric_limits(pair.sides, "trust") == (-0.03, 1.03)
    # harm varies by a few per cent around a large total: its axis frames the values, not zero
    lo, hi = views.metric_limits(pair.sides, "harm")
    harm = np.concatenate([s.series("harm") for s in pair.sides])
    assert 0 < lo <= harm.min() and harm.max() <= hi < 2 * harm.max()


def test_grid_holds_every_place():
    for n in (2, 7, 50, 51, 400):
        rows, cols = views.grid_shape(n)
        assert rows * cols >= n > (rows - 1) * cols


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def test_blitted_pictures_equal_a_fresh_drawing():
    """Drawing only the data on a kept background gives the picture a full drawing gives."""
    session = views.Session(["arrangement=zwartwerken", *SMALL], "known_vs_unknown")
    board = views.Board(session, [*views.INDICATORS, "harm"])
    first = board.pngs()
    for _ in range(3):
        session.step()
        board.pngs()
    fresh = views.Board(session, [*views.INDICATORS, "harm"])
    for name, picture in board.pictures.items():
        fresh.pictures[name]._limits = dict(picture._limits)  # the same (widened) axes
        kept, drawn = _pixels(picture.png()), _pixels(fresh.pictures[name].png())
        assert kept.shape == drawn.shape
        assert np.abs(kept - drawn).mean() < 0.5, name
        assert not np.array_equal(kept, _pixels(first[name])), f"{name} did not change with the rounds"
