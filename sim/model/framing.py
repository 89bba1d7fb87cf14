"""Phase 1, framing: which features the analysis will search (concepts §3; ODD 7.3).

Closed framing searches the government's own frame only: proxies and noise features of
its administrative data, never a true driver. Open or restricted framing admits the
hypotheses of professionals and (all or only aligned) partners.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.model.governance import GovernanceModel

_EMPTY = np.zeros(0)
_EMPTY_INT = np.zeros(0, dtype=np.int64)


def frame(model: GovernanceModel, rng: np.random.Generator) -> tuple[np.ndarray, bool]:
    """Decide the candidate features the analysis searches.

    The government's own frame holds the proxies and noise features of its
    administrative data, as many as the analytics level searches. Where framing
    admits them, professionals (engaged, knowing) and partners add hypotheses:
    an aligned partner names a true driver, a self-serving one its pet feature.

    Args:
        model: The model; its own frame is built on the first call and kept.
        rng: This round's framing stream (nothing is drawn where framing is closed).

    Returns:
        The candidate feature columns, sorted, and whether any of them is a true
        driver that someone other than the government brought in.
    """
    cfg = model.cfg
    if model._own_frame is None:  # the own frame does not change: built once
        n_own_noise = max(cfg.analytics.features_searched - len(model.proxy_cols), 0)
        own = np.concatenate([model.proxy_cols, model.noise_cols[:n_own_noise]])
        model._own_frame = np.unique(own).astype(np.int64)
        model._own_set = set(model._own_frame.tolist())
    added: set[int] = set()
    n_prof, n_part = len(model.professionals), len(model.partners)
    if cfg.regime.framing != "closed":  # closed framing draws nothing (the stream is this phase's alone)
        # Empty draws consume nothing, so skipping them leaves the stream unchanged.
        u_prof = rng.random(n_prof) if n_prof else _EMPTY
        u_part = rng.random(n_part) if n_part else _EMPTY
        if len(model.driver_cols) == 1:  # a choice of one: integers(1) draws nothing (the same stream)
            d_pick = np.zeros(n_prof + n_part, dtype=np.int64)
        else:
            d_pick = rng.integers(len(model.driver_cols), size=n_prof + n_part) if n_prof + n_part else _EMPTY_INT
        # Professionals share the public goal: admitted to open and restricted.
        knows = u_prof < model.professional_engagement * model._accuracy
        added.update(model.driver_cols[d_pick[:n_prof][knows]].tolist())
        if n_part:
            names_driver = u_part < model._alignment  # an aligned partner names a driver, others their pet
            added.update(model.driver_cols[d_pick[n_prof:][model._framing_admits & names_driver]].tolist())
            pets = model._pet[model._framing_admits & ~names_driver]
            if pets.size:
                added.update(model.noise_cols[pets].tolist())
    if not added:  # the own frame alone (never a driver column)
        return model._own_frame, False
    candidates = np.array(sorted(model._own_set | added), dtype=np.int64)  # = np.unique, cheaper
    considered = any(a < len(model.driver_cols) for a in added)  # drivers are the first columns
    return candidates, considered
