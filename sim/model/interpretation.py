"""Phase 4, interpretation: what the analysis is taken to mean (concepts §3; ODD 7.6).

Where open interpretation changes the estimate: closed interpretation acts on the
fitted correlation as if it were the cause; open or restricted interpretation moves the
estimate towards the cause professionals confirm at the places they know, and weighs in
the analyses of the partners it admits.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.agents import Partner, Professional
from sim.model.exact import _mean
from sim.model.strategy import partner_say

if TYPE_CHECKING:
    from sim.model.governance import GovernanceModel


def interpret(
    model: GovernanceModel, fit: np.ndarray, observed: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, float]:
    """Give meaning to the analysis: alone (closed) or with others.

    Closed: the strongest correlation is acted on as if causal; partners with
    diverging interests publish counter-analyses instead (contested results).
    Open/restricted: engaged professionals judge the cause at places they know;
    their judgements accumulate in a knowledge base, and the estimate moves to
    the cause they confirm, in proportion to the share of places reviewed.
    Admitted partners' analyses are weighed in (aligned ones bring their data,
    self-serving ones their interests); an exploratory government learning with
    partners (``government.partner_learning``) gives each a say by its trust.

    Args:
        model: The model; its knowledge base (``votes_yes``, ``votes_no``) grows by
            this round's judgements, and who took part is marked
            (``professional_contributed``, ``partner_heard``).
        fit: The analysis's fitted harm per place.
        observed: What partners observed per place this round (collection).
        rng: This round's interpretation stream (nothing is drawn where closed).

    Returns:
        The estimate of harm per place that allocation acts on, which partners
        were heard, and the share of partners contesting the results.
    """
    cfg = model.cfg
    setting = cfg.regime.interpretation
    heard = np.zeros(len(model.partners), dtype=bool)
    contested = 0.0
    if setting == "closed":  # nobody's review is used, so none is drawn
        model.professional_contributed[:] = False
        model.partner_heard[:] = False
        model.agreement = True  # the government alone at its table decides alone
        # Partners left out with their own data and diverging interests go public, as
        # strongly as the problem's structure makes their counter-analyses weigh (1: as many
        # as there are, exactly: min(1, 1.0 x share) is the share).
        return fit, heard, min(1.0, cfg.problem.contestation * model._contested)
    places, judged, contributed = Professional.review(
        model.professional_engagement, model._accuracy, model._beats, rng, model.cause_present
    )
    model.professional_contributed[:] = contributed
    n_places = model.votes_yes.shape[0]
    model.votes_yes += np.bincount(places, weights=judged, minlength=n_places)
    model.votes_no += np.bincount(places, weights=~judged, minlength=n_places)
    estimate = fit
    reviewed = (model.votes_yes + model.votes_no) > 0
    if reviewed.any():
        p_cause = (model.votes_yes + 0.5) / (model.votes_yes + model.votes_no + 1.0)
        # Unreviewed places: P(cause | the chosen feature's value) among reviewed ones.
        if not reviewed.all():  # places left to fill in
            if model.believed_cause >= 0:
                xf = model.features[:, model.believed_cause] > 0.5
                for val in (True, False):
                    grp = reviewed & (xf == val)
                    prior = _mean(p_cause[grp]) if grp.any() else _mean(p_cause[reviewed])
                    p_cause = np.where(~reviewed & (xf == val), prior, p_cause)
            else:
                p_cause = np.where(reviewed, p_cause, _mean(p_cause[reviewed]))
        hi = p_cause >= 0.5
        y = model.history[-1]
        lo_mean = _mean(y[~hi]) if not hi.all() else _mean(y)
        hi_mean = _mean(y[hi]) if hi.any() else _mean(y)
        effect = max(hi_mean - lo_mean, 0.0)
        causal = lo_mean + effect * p_cause
        coverage = np.count_nonzero(reviewed) / reviewed.size
        estimate = coverage * causal + (1.0 - coverage) * fit
        if coverage > 0.5:
            model.believed_cause = int(model.driver_cols[0])
    admitted = model._admitted
    inside = model.partner_member[admitted]  # a partner outside the arrangement takes its voice with it
    model.agreement = agree(model, admitted[inside])
    if inside.any() and model.agreement:
        g = cfg.government
        each, rows = Partner.analyses(model._voices, observed), admitted
        if not inside.all():
            each, rows = each[inside], admitted[inside]
        if g.exploratory and g.partner_learning > 0:
            # Learning with partners: the more a partner trusts the government, the more it has to say.
            say = partner_say(model, rows)
            total = float(say.sum())  # 0 only if every partner heard distrusts fully: nobody is weighed in
            analyses = (say[:, None] * each).sum(axis=0) / max(total, 1e-300)
            v = min(g.voice_weight * total / len(model.partners), 1.0)
        else:
            analyses = each.sum(axis=0) / each.shape[0]
            v = g.voice_weight * each.shape[0] / len(model.partners)
        scale = max(float(_mean(estimate)), 1e-9) / max(float(_mean(analyses)), 1e-9)
        estimate = (1.0 - v) * estimate + v * analyses * scale
        heard[admitted[inside]] = True
    model.partner_heard[:] = heard
    return estimate, heard, contested


def agree(model: GovernanceModel, at_table: np.ndarray) -> bool:
    """Whether the parties at this round's table agree on progress (essay ch. 5, the rounds model).

    At the table are the partners heard and the professionals whose judgements count;
    they agree if their mean trust (partners) and engagement (professionals) reaches
    ``partners.agreement``. Without agreement the partners' analyses are not weighed
    in and their work waits (allocation). A government alone at its table decides alone.
    """
    if model.cfg.partners.agreement == 0.0:  # a bar of 0 is always reached (trust, engagement >= 0)
        return True
    levels = [model.partner_trust[at_table], model.professional_engagement[model.professional_contributed]]
    count = sum(x.size for x in levels)
    if count == 0:
        return True
    return float(sum(math.fsum(x.tolist()) for x in levels)) / count >= model.cfg.partners.agreement
