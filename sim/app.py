"""Trainer's dashboard: make reflexivity visible in a room (Mesa's SolaraViz).

Start it with ``sim dashboard`` (or ``python -m sim.app``; the command is
:mod:`sim.dashboard`); it serves on http://127.0.0.1:8765 (localhost only; ``--port``
to change, ``--lesson NAME`` to open a lesson, ``--compare`` to open side by side).
SolaraViz gives the controls (play, pause, step, reset, and the settings in "Model
Parameters"; a changed setting applies on Reset). The main area shows, per round:

- the indicators (evasion and gaming, trust, data shared, legitimacy, plus the ones
  a lesson watches);
- a map of the places: true harm against allocated capacity, with the places
  where the true cause is present outlined, so misallocation is visible;
- the public account per round (stacked components and public value);
- what the government acts on against the true cause.

Side by side runs the same seed twice, differing in one choice (by default the
strategy known, ``use: public``, against unknown, ``use: closed``), stepping both
together, with every picture on shared scales.

The module is the Solara app, in Mesa's ``app.py`` convention: ``solara run sim.app``
finds :func:`Page`.
"""

from __future__ import annotations

import html
import logging
import os
import threading
import time
import warnings

import mesa
import solara

from sim import views
from sim.config import ANALYTICS_LEVELS, PHASE_SETTINGS, ROLES, ConfigError
from sim.dashboard import COMPARE_AUTO, ENV_ARRANGEMENT, ENV_COMPARE
from sim.hydra_conf import SCENARIO_DIR
from sim.lessons import Lesson, LessonError, available, load_lesson

logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
log = logging.getLogger(__name__)

SCENARIO = "scenario"  # a control left at this value keeps the arrangement's own setting
COMPARE_OFF = "off"
COMPARE_KEYS = {COMPARE_OFF: None, COMPARE_AUTO: "auto", **{c.label: k for k, c in views.CONTRASTS.items()}}
SOPHISTICATION = [SCENARIO] + [f"{x / 10:.1f}" for x in range(11)]
DEFAULT_ARRANGEMENT = "zwartwerken"
PLAY_INTERVAL_MS = 150


def mesa_viz():
    """Mesa's SolaraViz and its step counter, imported quietly.

    Mesa 3.3's ComponentsView trips Solara's hook check at import (an early return
    before a hook); its hook order never changes, so the warning is only noise.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*found despite early return", category=UserWarning)
        from mesa.visualization import SolaraViz
        from mesa.visualization.utils import update_counter
    return SolaraViz, update_counter


def arrangements() -> list[str]:
    """The arrangement presets and lessons the dashboard offers (``lessons/<name>``)."""
    names = sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))
    return names + [f"lessons/{n}" for n in available()]


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
    out = [f"arrangement={arrangement}", f"world.actors={int(actors)}", f"run.seed={int(seed)}"]
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
    """What SolaraViz steps and resets: one run, or two side by side.

    Its keyword arguments are the dashboard's controls (SolaraViz re-creates the
    model with them on Reset). An invalid combination does not raise: the message
    is kept in :attr:`error` and shown, and the model does not run.

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
        self.lock = threading.Lock()
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
            with self.lock:
                self.session.step()
            self.running = not self.session.done


def model_params(arrangement: str, compare: str) -> dict[str, dict]:
    """The controls (Mesa's user-parameter dicts), starting at these settings."""

    def select(label: str, values: list[str], value: str = SCENARIO) -> dict:
        return {"type": "Select", "label": label, "values": values, "value": value}

    phases = [SCENARIO, *PHASE_SETTINGS]
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
        "actors": {
            "type": "SliderInt",
            "label": "Number of actors",
            "value": 100_000,
            "min": 10_000,
            "max": 300_000,
            "step": 10_000,
        },
        "seed": {"type": "SliderInt", "label": "Seed", "value": 0, "min": 0, "max": 99, "step": 1},
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


# ------------------------------------------------------------------ the page
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
        f'<div style="display:flex;align-items:baseline;gap:18px;flex-wrap:wrap">'
        f'<span style="font-size:22px;font-weight:700" data-testid="round">Round {session.round} of {session.rounds}'
        f'</span><span style="font-size:16px">{html.escape(what)}</span>'
        # the sliders show no value: say here what the run uses
        f'<span style="color:#555">{first.world.actors:,} actors &middot; seed {first.run.seed} &middot; '
        f"actor sophistication {first.population.sophistication:g}</span>"
    ]
    if session.contrast:
        parts.append(
            f'<span style="color:#555">Same seed, same world; only this differs: '
            f"<b>{html.escape(session.contrast.label)}</b>. {html.escape(session.contrast.note)}</span>"
        )
    parts.append('</div><div style="display:flex;gap:14px;flex-wrap:wrap;margin-top:6px">')
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
        cells = " &middot; ".join(f"{html.escape(k)}: <b>{html.escape(v)}</b>" for k, v in facts)
        parts.append(
            f'<div data-testid="side-{j}" style="border-left:6px solid {colour};padding:2px 10px;flex:1 1 420px">'
            f'<div style="color:{colour};font-weight:700;font-size:15px">{html.escape(side.title)}</div>'
            f'<div style="font-size:13px">{cells}</div></div>'
        )
    parts.append("</div>")
    return "".join(parts)


def markdown_html(text: str) -> str:
    """A lesson's markdown as HTML.

    Rendered here rather than with ``solara.Markdown``, which fetches KaTeX from a CDN
    (not in solara-assets): the dashboard must work offline, e.g. in a training room.
    """
    import markdown

    return markdown.markdown(text)


@solara.component
def Picture(png: bytes, testid: str) -> None:
    """A rendered figure, as wide as its column."""
    solara.Image(png, width="100%", classes=[f"sim-{testid}"])


@solara.component
def LessonCard(lesson: Lesson, compared: str | None) -> None:
    """The lesson's narrative: what to watch up front, the rest folded."""
    with solara.Card(f"Lesson: {lesson.title}", margin=0, classes=["sim-lesson"]):
        if compared != lesson.contrast:
            label = views.CONTRASTS[lesson.contrast].label
            solara.Info(f"This lesson runs side by side: set 'Side by side' to '{label}' (or auto) and press Reset.")
        solara.HTML(unsafe_innerHTML=markdown_html("**What to watch**\n\n" + lesson.sections["What to watch"]))
        with solara.Details("Setup, takeaway and the essay"):
            text = "\n\n".join(f"**{h}**\n\n{lesson.sections[h]}" for h in ("Setup", "Takeaway", "In the essay"))
            solara.HTML(unsafe_innerHTML=markdown_html(text))


@solara.component
def MainView(model: DashboardModel) -> None:
    """The pictures of the current round (re-drawn on every step)."""
    mesa_viz()[1].get()  # re-render when SolaraViz steps the model (its update counter)
    session = model.session

    def board() -> views.Board | None:
        if session is None:
            return None
        metrics = list(views.INDICATORS)
        if model.lesson:
            metrics += [m for m in model.lesson.watch if m not in metrics]
        return views.Board(session, metrics)

    # One board per model: it keeps each picture's static part between steps.
    pictures = solara.use_memo(board, [model])

    def draw() -> dict[str, bytes]:
        if pictures is None:
            return {}
        with model.lock:  # SolaraViz's play loop steps the model in another thread
            start = time.perf_counter()
            out = pictures.pngs()
        log.debug("round %d drawn in %.0f ms", session.round, 1000 * (time.perf_counter() - start))
        return out

    pngs = solara.use_memo(draw, [model, session.round if session else -1])
    with solara.Column(gap="10px", style={"padding": "4px 12px", "width": "100%"}):
        if model.error:
            solara.Error(f"These settings do not make a valid run: {model.error} Change them and press Reset.")
            return
        solara.HTML(unsafe_innerHTML=header_html(model))
        solara.Text("Changed a setting in Model Parameters? Press Reset to apply it.", style={"color": "#666"})
        if model.lesson:
            LessonCard(model.lesson, model.compared_key)
        if len(session.sides) == 1:
            with solara.Columns([1, 1]):
                Picture(pngs["indicators"], "indicators")
                Picture(pngs["map"], "map")
            with solara.Columns([1, 1]):
                Picture(pngs["account"], "account")
                Picture(pngs["belief"], "belief")
        else:
            for name in ("indicators", "map", "account", "belief"):
                Picture(pngs[name], name)


@solara.component
def Page() -> None:
    """The Solara page: SolaraViz's controls in the sidebar, the pictures in the main area."""
    arrangement, compare = initial_settings()
    first = solara.use_memo(lambda: DashboardModel(arrangement=arrangement, compare=compare), [])
    model = solara.use_reactive(first)
    SolaraViz, _ = mesa_viz()
    SolaraViz(
        model,
        components=[],  # the main area is MainView: a layout of our own, not a draggable grid
        model_params=model_params(arrangement, compare),
        name="sim: data strategies in the room",
        play_interval=PLAY_INTERVAL_MS,
    )
    MainView(model.value)


if __name__ == "__main__":  # python -m sim.app: the same command as sim dashboard
    from sim.console import exit_with
    from sim.dashboard import main

    exit_with(main)
