"""Cases 5a-5d: confounding and false discovery, the essay's warnings about data analysis.

Sources: the essay, section 2.3 (the fish shop; concepts section 1): fish shops
stand on small squares, which cause harm; the naive shop effect is
3 x (P(square | shop) - P(square | no shop)) = 1.68 (5a), stratified by square it is
0 (5b), and closing the shops changes nothing (5c). Section 2.4 (data discovery)
and the level of a significance test: 100 features unrelated to harm, tested at
α = 0.05, give 5 false findings on average (5d).

Scenarios: ``scenarios/validation/fish_shop.yaml``, ``false_discovery.yaml``. Fast
(run without ``--full``).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from sim.config import SimConfig
from sim.validation.figures import PALETTE, figure
from sim.validation.runner import Group, GroupResult, Row, Runner, chunks, rep_frame, scenario

# sim.model and scipy are imported in the functions that use them, for start-up time
# (`sim validate --list` and bad input load neither).

ESSAY_FISH = "essay §2.3 (fish shop)"


def _fish_runs(cfg: SimConfig, reps: list[int]) -> list[tuple[float, float, int, float, np.ndarray]]:
    """Per replication: fitted effect, stratified effect, chosen feature, harm, cell means.

    The fitted effect is the analysis's own (mean record with - without its chosen
    feature); the stratified effect is the shop effect within square strata; harm is
    per place and round; the cell means are by (square, shop).
    """
    from sim.model import GovernanceModel

    logging.getLogger("MESA").setLevel(logging.WARNING)
    out = []
    for rep in reps:
        model = GovernanceModel(cfg, rep, parallel=False)
        harm = []
        for _ in range(cfg.run.rounds):
            model.step()
            harm.append(model.record["harm"])
        y = model.records  # round 1's harm, as recorded (reported) in round 2
        square = model.world.drivers[:, 0]
        shop = model.world.proxies[:, 0] if model.world.proxies.shape[1] else np.zeros_like(square)
        cells = np.array(
            [[y[(square == s) & (shop == h)].mean() if np.any((square == s) & (shop == h)) else np.nan
              for h in (False, True)] for s in (False, True)]
        )  # fmt: skip
        strat = sum((square == s).mean() * (cells[int(s), 1] - cells[int(s), 0]) for s in (False, True))
        out.append(
            (model.fitted_effect, float(strat), model.believed_cause, float(np.mean(harm)) / cfg.world.places, cells)
        )
    return out


def _fish_shop(runner: Runner) -> GroupResult:
    cfg = scenario("fish_shop")
    closed = scenario("fish_shop", "world.proxy_given_driver=0", "world.proxy_given_no_driver=0")
    parts = runner.map(_fish_runs, [(c, reps) for c in (cfg, closed) for reps in chunks(cfg.run.replications, 1)])
    half = len(parts) // 2
    with_shops = [r for p in parts[:half] for r in p]
    no_shops = [r for p in parts[half:] for r in p]
    naive = np.array([r[0] for r in with_shops])
    strat = np.array([r[1] for r in with_shops])
    shop_col = cfg.world.drivers  # the proxy is the column after the drivers
    chose_shop = all(r[2] == shop_col for r in with_shops)
    closing = np.array([b[3] - a[3] for a, b in zip(with_shops, no_shops, strict=True)])
    reps = cfg.run.replications
    setup = f"{cfg.world.places:,} places, P(square) 0.2, P(shop | square) 0.7, P(shop | no square) 0.1; {reps} runs"
    rows = [
        Row(
            "5a",
            "Confounding: naive shop effect",
            ESSAY_FISH,
            setup + "; the analysis (closed) picks the shop",
            "1.68 ± 0.03",
            f"{naive.mean():.3f} (shop chosen in {'every' if chose_shop else 'not every'} run)",
            abs(naive.mean() - 1.68) <= 0.03 and chose_shop,
        ),
        Row(
            "5b",
            "Confounding: shop effect stratified by square",
            ESSAY_FISH,
            setup,
            "0 ± 0.03",
            f"{strat.mean():+.3f}",
            abs(strat.mean()) <= 0.03,
        ),
        Row(
            "5c",
            "Confounding: closing the shops",
            ESSAY_FISH,
            setup + "; paired run without shops (same worlds)",
            "harm changes by 0",
            f"{closing.mean():+.4f} per place and round (largest |difference| {np.abs(closing).max():.1e})",
            bool(np.all(np.abs(closing) <= 1e-12)),
        ),
    ]
    cells = np.mean([r[4] for r in with_shops], axis=0)
    fig, (a1, a2) = figure()
    xs = np.arange(2)
    a1.bar(xs - 0.2, cells[0], width=0.4, color=PALETTE[0], label="no square")
    a1.bar(xs + 0.2, cells[1], width=0.4, color=PALETTE[1], label="square")
    a1.set_xticks(xs, ["no shop", "shop"])
    a1.set(ylabel="mean harm per place and round", title="Harm by shop and square (strata)")
    a1.legend()
    a2.hist(naive, bins=10, color=PALETTE[0], alpha=0.8, label="naive (the analysis's fit)")
    a2.hist(strat, bins=10, color=PALETTE[2], alpha=0.8, label="stratified by square")
    a2.axvline(1.68, color=PALETTE[1], ls="--", label="1.68 (expected naive)")
    a2.axvline(0.0, color="black", ls=":", label="0 (expected stratified)")
    a2.set(xlabel="estimated shop effect (harm per place)", ylabel="runs", title="Shop effect per run")
    a2.legend(fontsize=8)
    fig.suptitle("5a-c. The fish shop: a confounded correlation")
    return GroupResult(rows, fig)


def _false_discovery(runner: Runner) -> GroupResult:
    from scipy import stats

    cfg = scenario("false_discovery")
    df = pd.concat(runner.map(rep_frame, [(cfg, reps) for reps in chunks(cfg.run.replications, runner.jobs)]))
    found = df[df["round"] == 2]["false_discoveries"].to_numpy()
    mean = float(found.mean())
    row = Row(
        "5d",
        "False discovery over 100 null features",
        "essay §2.4 (discovery); level of a test",
        f"{cfg.world.places} places, 100 features unrelated to harm, α = 0.05; {len(found)} repetitions",
        "5.0 ± 0.4 false findings on average",
        f"{mean:.2f} (sd {found.std(ddof=1):.2f})",
        abs(mean - 5.0) <= 0.4,
    )
    fig, (a1,) = figure(1, 6.0, 3.8)
    ks = np.arange(0, int(found.max()) + 2)
    a1.hist(found, bins=ks - 0.5, density=True, color=PALETTE[0], alpha=0.8, label="model")
    a1.plot(ks, stats.binom.pmf(ks, 100, 0.05), "o-", color=PALETTE[1], label="Binomial(100, 0.05)")
    a1.axvline(mean, color=PALETTE[0], ls="--", label=f"model mean {mean:.2f}")
    a1.set(xlabel="false findings per analysis", ylabel="share of repetitions", title="5d. Discovery: false findings")
    a1.legend()
    return GroupResult([row], fig)


GROUPS: tuple[Group, ...] = (
    Group("fish_shop", "5a-c. Confounding: the fish shop (essay §2.3)", ("fish_shop",), True, _fish_shop),
    Group("false_discovery", "5d. False discovery in data discovery", ("false_discovery",), True, _false_discovery),
)
