"""What the dashboard plays: its settings, its model, and the player that steps it.

The page (:mod:`sim.app`) shows a :class:`Frame`: the round, the strip of numbers
above the pictures and the four pictures, all drawn right after that round ran. A
:class:`Player` steps a :class:`DashboardModel` and decides which frame is shown.
While playing it runs the next round as soon as the last one is shown, and shows it
after the time between rounds, only if no pause came meanwhile: a pause keeps the
round on screen, and the round computed in the meantime waits for the next Step.

Nothing here imports Solara: the settings and the player are tested without a page.
"""

from __future__ import annotations

import html
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import mesa

from sim import views
from sim.config import ANALYTICS_LEVELS, PHASE_SETTINGS, ROLES, ConfigError
from sim.dashboard import COMPARE_AUTO, ENV_ARRANGEMENT, ENV_COMPARE
from sim.hydra_conf import SCENARIO_DIR
from sim.lessons import Lesson, LessonError, available, load_lesson

log = logging.getLogger(__name__)

SCENARIO = "scenario"  # a control left at this value keeps the arrangement's own setting
COMPARE_OFF = "off"
COMPARE_KEYS = {COMPARE_OFF: None, COMPARE_AUTO: "auto", **{c.label: k for k, c in views.CONTRASTS.items()}}
SOPHISTICATION = [SCENARIO] + [f"{x / 10:.1f}" for x in range(11)]
# What a room sees first: undeclared work (zwartwerken) with open interpretation, so that
# the government finds the true cause on both sides of "strategy known vs unknown" and
# what differs is the actors' answer: on the known side they conceal where the targeting
# is (evasion ~5% of actors against <1% at round 20, seed 0). 32 places (8 x 4 tiles)
# keep the map legible on a projector. The preset's own numbers are unchanged: these are
# overrides, listed in the arrangement select under this name.
ROOM = "zwartwerken: 32 places, open interpretation"
ROOM_OVERRIDES = ("arrangement=zwartwerken", "world.places=32", "regime.interpretation=open")
DEFAULT_ARRANGEMENT = ROOM


def arrangements() -> list[str]:
    """The room's default, the arrangement presets and the lessons (``lessons/<name>``)."""
    names = sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))
    return [ROOM, *names, *(f"lessons/{n}" for n in available())]


def lesson_of(arrangement: str) -> Lesson | None:
    """The lesson an arrangement value names, if it is one."""
    if arrangement.startswith("lessons/"):
        return load_lesson(arrangement.split("/", 1)[1])
    return None


def contrast_for(compare: str, lesson: Lesson | None) -> str | None:
    """The contrast key a side-by-side setting means (None: a single run)."""
    key = COMPARE_KEYS.get(compare)
    if key == "auto":
        return lesson.contrast if lesson else "known_vs_unknown"
    return key


def overrides_for(
    arrangement: str,
    role: str,
    framing: str,
    collection: str,
    interpretation: str,
    use: str,
    analytics: str,
    sophistication: str,
    actors: int,
    seed: int,
) -> list[str]:
    """Hydra overrides for the dashboard's controls (``scenario`` keeps the preset's value)."""
    first = list(ROOM_OVERRIDES) if arrangement == ROOM else [f"arrangement={arrangement}"]
    out = [*first, f"world.actors={int(actors)}", f"run.seed={int(seed)}"]
    if role != SCENARIO:
        out.append(f"role={role}")
    if analytics != SCENARIO:
        out.append(f"analytics={analytics}")
    for phase, value in (("framing", framing), ("collection", collection), ("interpretation", interpretation)):
        if value != SCENARIO:
            out.append(f"regime.{phase}={value}")
    if use != SCENARIO:
        out.append(f"regime.use={use}")
    if sophistication != SCENARIO:
        out.append(f"population.sophistication={sophistication}")
    return out


class DashboardModel(mesa.Model):
    """One run, or two side by side, made from the dashboard's controls.

    Its keyword arguments are the controls (Reset makes a new model with them). An
    invalid combination does not raise: the message is kept in :attr:`error` and
    shown, and the model does not run.

    Attributes:
        session: The run(s), or None after a configuration error.
        lesson: The lesson the arrangement names, if any.
        error: The configuration error, if any.
    """

    def __init__(
        self,
        arrangement: str = DEFAULT_ARRANGEMENT,
        compare: str = COMPARE_OFF,
        role: str = SCENARIO,
        framing: str = SCENARIO,
        collection: str = SCENARIO,
        interpretation: str = SCENARIO,
        use: str = SCENARIO,
        analytics: str = SCENARIO,
        sophistication: str = SCENARIO,
        actors: int = 100_000,
        seed: int = 0,
    ) -> None:
        super().__init__(seed=int(seed))
        self.session: views.Session | None = None
        self.lesson: Lesson | None = None
        self.error: str | None = None
        self.compared_key: str | None = None
        try:
            self.lesson = lesson_of(arrangement)
            self.compared_key = contrast_for(compare, self.lesson)
            overrides = overrides_for(
                arrangement, role, framing, collection, interpretation, use, analytics, sophistication, actors, seed
            )
            names = self.lesson.names if self.lesson else None
            self.session = views.Session(overrides, self.compared_key, names)
        except (ConfigError, LessonError) as exc:
            self.error = str(exc)
            self.running = False

    def step(self) -> None:
        """Run one round on every side; stop at the configured number of rounds."""
        if self.session is not None:
            self.session.step()
            self.running = not self.session.done


def model_params(arrangement: str, compare: str) -> dict[str, dict]:
    """The controls: label, kind and values of each keyword of :class:`DashboardModel`."""

    def select(label: str, values: list[str], value: str = SCENARIO) -> dict:
        return {"type": "Select", "label": label, "values": values, "value": value}

    phases = [SCENARIO, *PHASE_SETTINGS]
    actors = {"type": "SliderInt", "label": "Number of actors", "value": 100_000, "min": 10_000, "max": 300_000}
    return {
        "arrangement": select("Arrangement or lesson", arrangements(), arrangement),
        "compare": select("Side by side", list(COMPARE_KEYS), compare),
        "role": select("Government role", [SCENARIO, *ROLES]),
        "framing": select("Phase 1: framing", phases),
        "collection": select("Phase 2: collection", phases),
        "interpretation": select("Phase 3: interpretation", phases),
        "use": select("Phase 4: use (open = public)", phases),
        "analytics": select("Analytics level", [SCENARIO, *ANALYTICS_LEVELS]),
        "sophistication": select("Actor sophistication (reflexivity)", SOPHISTICATION),
        "actors": {**actors, "step": 10_000},
        "seed": {"type": "SliderInt", "label": "Seed (another world)", "value": 0, "min": 0, "max": 99, "step": 1},
    }


def initial_settings() -> tuple[str, str]:
    """Arrangement and side-by-side setting to start with (from the environment)."""
    arrangement = os.environ.get(ENV_ARRANGEMENT, DEFAULT_ARRANGEMENT)
    compare = os.environ.get(ENV_COMPARE, COMPARE_OFF)
    if arrangement not in arrangements():
        arrangement = DEFAULT_ARRANGEMENT
    if compare not in COMPARE_KEYS:
        compare = COMPARE_OFF
    return arrangement, compare


def _fmt(value: float, kind: str) -> str:
    if kind == "pct":
        return f"{100 * value:.1f}%"
    return f"{value:,.0f}"


def header_html(model: DashboardModel) -> str:
    """The strip above the pictures: round, and per side the numbers to read aloud."""
    session = model.session
    if session is None:
        return ""
    names = session.names
    first = session.sides[0].cfg
    what = model.lesson.title if model.lesson else first.arrangement.name
    parts = [
        '<div class="sim-strip"><span class="sim-round" data-testid="round">'
        f"Round {session.round} of {session.rounds}</span><span>{html.escape(what)}</span>"
        f'<span class="sim-quiet">{first.world.places} places &middot; {first.world.actors:,} actors &middot; '
        f"seed {first.run.seed} &middot; actor sophistication {first.population.sophistication:g}</span>"
    ]
    if session.contrast:
        parts.append(
            f'<span class="sim-quiet">Only this differs: <b>{html.escape(session.contrast.label)}</b>. '
            f"{html.escape(session.contrast.note)}</span>"
        )
    parts.append('</div><div class="sim-strip">')
    for j, side in enumerate(session.sides):
        colour = views.side_colour(session.sides, j)
        if side.round:
            last = side.records[-1]
            facts = [
                ("public value so far", f"{_fmt(side.total('public_value'), 'num')} kEUR"),
                ("evasion and gaming", _fmt(last["evasion_rate"], "pct")),
                ("misallocation", _fmt(last["misallocation"], "pct")),
                ("acts on", names[side.kind(side.believed[-1])]),
            ]
        else:
            facts = [("status", "not started: press Step or \u25b6")]
        if side.marks():  # where a scheduled change or a switch acted (the dotted lines)
            facts.append(("changed after round", ", ".join(str(r) for r in side.marks())))
        cells = " &middot; ".join(f"{html.escape(k)}: <b>{html.escape(v)}</b>" for k, v in facts)
        title = side.title if len(session.sides) > 1 else views.describe(side.cfg)
        parts.append(
            f'<div class="sim-side" data-testid="side-{j}" style="border-left-color:{colour}">'
            f'<b style="color:{colour}">{html.escape(title)}</b> {cells}</div>'
        )
    parts.append("</div>")
    return "".join(parts)


@dataclass(frozen=True)
class Frame:
    """What the page shows of one round: its number, the strip of numbers, the pictures."""

    round: int
    header: str
    pngs: dict[str, bytes]


class Player:
    """Steps a model and keeps the frame on screen (see the module's note on pausing).

    Two locks: ``_work`` for stepping and drawing (tens to hundreds of ms), ``_show``
    for deciding what is shown (instant). A pause takes only ``_show``, so it never
    waits for a round being computed, and a round computed after it is not shown.
    """

    def __init__(self, model: DashboardModel) -> None:
        self.model = model
        self._work, self._show = threading.Lock(), threading.Lock()
        self.playing = False
        self.generation = 0  # a loop of an earlier play must not show rounds
        metrics = list(views.INDICATORS)
        if model.lesson:
            metrics += [m for m in model.lesson.watch if m not in metrics]
        self.board = views.Board(model.session, metrics) if model.session else None
        self.pending: Frame | None = None
        self.shown = self._draw()

    @property
    def done(self) -> bool:
        """Whether no round is left to show."""
        return self.pending is None and (self.model.session is None or self.model.session.done)

    def _draw(self) -> Frame:
        session = self.model.session
        if session is None:
            return Frame(0, "", {})
        start = time.perf_counter()
        pngs = self.board.pngs()
        log.debug("round %d drawn in %.0f ms", session.round, 1000 * (time.perf_counter() - start))
        return Frame(session.round, header_html(self.model), pngs)

    def _compute(self) -> None:
        with self._work:
            if self.pending is None and self.model.session is not None and not self.model.session.done:
                self.model.step()
                self.pending = self._draw()

    def _publish(self, show: Callable[[Frame], None] | None) -> Frame:
        self.shown, self.pending = self.pending or self.shown, None
        if show is not None:
            show(self.shown)
        return self.shown

    def step(self, show: Callable[[Frame], None] | None = None) -> Frame:
        """The next round (the one computed during play, if a pause left it unshown)."""
        self._compute()
        with self._show:
            return self._publish(show)

    def apply(self, sets: dict | None = None, shock: dict | None = None, side: int | None = None) -> Frame:
        """A trainer's switch: a change now, after the last round computed, on one side or all.

        The frame on screen is drawn again (its charts get the dotted line) unless a
        round is waiting to be shown. A change that is not allowed (the run is over)
        leaves the run as it was.
        """
        session = self.model.session
        if session is None:
            return self.shown
        with self._work:
            try:
                session.apply(sets, shock, side)
            except ConfigError as exc:
                log.info("switch not applied: %s", exc)
                return self.shown
            with self._show:
                if self.pending is None:
                    self.shown = self._draw()
                return self.shown

    def marks(self) -> list[list[int]]:
        """Per side, the rounds after which a change acted (for tests and the strip)."""
        session = self.model.session
        return [s.marks() for s in session.sides] if session else []

    def play(self) -> int:
        """Start playing; returns the generation a play loop passes to :meth:`tick`."""
        with self._show:
            self.playing, self.generation = True, self.generation + 1
            return self.generation

    def pause(self) -> Frame:
        """Stop playing at the round on screen; returns it."""
        with self._show:
            self.playing = False
            return self.shown

    def tick(self, generation: int, wait: float, show: Callable[[Frame], None] | None = None) -> bool:
        """One round of play: compute it, wait, show it unless paused. Whether play goes on."""
        start = time.perf_counter()
        self._compute()
        time.sleep(max(0.0, wait - (time.perf_counter() - start)))
        with self._show:
            if not self.playing or generation != self.generation:
                return False
            if self.pending is not None:
                self._publish(show)
            if self.done:
                self.playing = False
            return self.playing
