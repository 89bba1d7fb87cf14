"""Trainer's dashboard: make reflexivity visible in a room (a Solara page).

Start it with ``sim dashboard`` (or ``python -m sim.app``; the command is
:mod:`sim.dashboard`); it serves on http://127.0.0.1:8765 (localhost only; ``--port``
to change, ``--lesson NAME`` to open a lesson, ``--compare`` to open side by side,
``--present`` or ``?present=1`` in the address for presentation mode).

The sidebar has the run's buttons (Reset, play/pause, Step), the time between rounds,
and the settings, which apply on Reset. The main area fits one screen (designed for
1280 x 720 and 1920 x 1080): a strip with the round and the numbers to read aloud,
and a 2 x 2 grid of pictures, each scaled to its cell:

- the indicators (evasion and gaming, trust, data shared, legitimacy, plus the ones
  a lesson watches);
- a map of the places: true harm against allocated capacity, with the places
  where the true cause is present outlined and where actors evade marked;
- the public account per round (stacked components and public value);
- what the government acts on against the true cause.

Side by side runs the same seed twice, differing in one choice (by default the
strategy known, ``use: open``, against unknown, ``use: closed``), stepping both
together, with both sides in each picture on shared scales. Presentation mode folds
the sidebar and sets larger type; the button in the top bar switches it.

The page is Solara's; the model is a Mesa model (:class:`sim.play.DashboardModel`),
stepped by :class:`sim.play.Player` rather than Mesa's SolaraViz, whose play loop shows
one more round after a pause and whose controls speak Mesa's terms. ``solara run
sim.app`` finds :func:`Page` and :func:`Layout`.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qs

import solara

from sim import views
from sim.dashboard import ENV_PRESENT, present_from_env
from sim.lessons import Lesson
from sim.play import (
    COMPARE_AUTO,
    COMPARE_KEYS,
    COMPARE_OFF,
    DEFAULT_ARRANGEMENT,
    ROOM,
    SCENARIO,
    DashboardModel,
    Frame,
    Player,
    arrangements,
    contrast_for,
    header_html,
    initial_settings,
    model_params,
    overrides_for,
)

__all__ = [
    "COMPARE_AUTO",
    "COMPARE_KEYS",
    "COMPARE_OFF",
    "DEFAULT_ARRANGEMENT",
    "ENV_PRESENT",
    "ROOM",
    "SCENARIO",
    "DashboardModel",
    "Layout",
    "Page",
    "arrangements",
    "contrast_for",
    "header_html",
    "initial_settings",
    "model_params",
    "overrides_for",
]

logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO

TITLE = "sim: data strategies in the room"
PLAY_INTERVAL_MS = 300
PICTURES = ("indicators", "map", "account", "belief")
# Per browser session (Solara scopes a module's reactive values to each session).
present = solara.reactive(False)

# The main area is a column as high as the window below the top bar (64 px, Solara's
# 12 px padding around): the strip takes what it needs and the 2 x 2 grid the rest,
# each picture scaled to its cell (object-fit keeps its proportions). The sidebar is
# 300 px instead of Solara's 400 (a quarter of a 1280 px screen, not a third).
CSS = """
.v-navigation-drawer { min-width: 300px !important; max-width: 300px !important; }
.sim-main { height: calc(100vh - 64px - 24px); display: flex; flex-direction: column; gap: 6px; overflow: hidden; }
.sim-grid { flex: 1 1 0; min-height: 0; display: grid; gap: 6px;
            grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); grid-template-rows: minmax(0, 1fr) minmax(0, 1fr); }
.sim-cell { position: relative; min-height: 0; min-width: 0; }
.sim-cell img { position: absolute; left: 0; top: 0; width: 100%; height: 100%; object-fit: contain; }
.sim-strip { display: flex; align-items: baseline; gap: 4px 16px; flex-wrap: wrap; font-size: 14px; line-height: 1.35; }
.sim-round { font-size: 20px; font-weight: 700; }
.sim-quiet { color: #555; }
.sim-side { border-left: 6px solid; padding: 0 8px; flex: 1 1 420px; font-size: 13px; }
.sim-lesson { font-size: 13px; max-height: 22vh; overflow: auto; }
.sim-lesson p { margin-bottom: 4px; }
.sim-present .sim-strip { font-size: 17px; }
.sim-present .sim-round { font-size: 26px; }
.sim-present .sim-side { font-size: 16px; }
.sim-present .sim-lesson { font-size: 16px; }
"""


def markdown_html(text: str) -> str:
    """A lesson's markdown as HTML.

    Rendered here rather than with ``solara.Markdown``, which fetches KaTeX from a CDN
    (not in solara-assets): the dashboard must work offline, e.g. in a training room.
    """
    import markdown

    return markdown.markdown(text)


@solara.component
def LessonCard(lesson: Lesson, compared: str | None) -> None:
    """The lesson's narrative: what to watch up front, the rest folded."""
    with solara.Column(gap="2px", classes=["sim-lesson"]):
        if compared != lesson.contrast:
            label = views.CONTRASTS[lesson.contrast].label
            solara.Info(f"This lesson runs side by side: set 'Side by side' to '{label}' (or auto) and press Reset.")
        text = f"**Lesson: {lesson.title}.** What to watch: " + lesson.sections["What to watch"]
        solara.HTML(unsafe_innerHTML=markdown_html(text))
        with solara.Details("Setup, takeaway and the essay"):
            more = "\n\n".join(f"**{h}**\n\n{lesson.sections[h]}" for h in ("Setup", "Takeaway", "In the essay"))
            solara.HTML(unsafe_innerHTML=markdown_html(more))


@solara.component
def MainView(model: DashboardModel, frame: Frame) -> None:
    """The round on screen: the strip of numbers and the four pictures."""
    with solara.Column(gap="6px", classes=["sim-main"] + (["sim-present"] if present.value else [])):
        if model.error:
            solara.Error(f"These settings do not make a valid run: {model.error} Change them and press Reset.")
            return
        solara.HTML(unsafe_innerHTML=frame.header)
        if model.lesson:
            LessonCard(model.lesson, model.compared_key)
        with solara.Div(classes=["sim-grid"]):
            for name in PICTURES:
                with solara.Div(classes=["sim-cell", f"sim-cell-{name}"]):
                    solara.Image(frame.pngs[name], classes=[f"sim-{name}"])


@solara.component
def Setting(name: str, spec: dict, value, on_value) -> None:
    """One control of the settings: a select, or a slider that shows its value."""
    if spec["type"] == "Select":
        solara.Select(spec["label"], values=spec["values"], value=value, on_value=on_value, dense=True)
    else:  # the value in the label (Vuetify's knob label would cover the buttons)
        shown = f"{value:,}" if spec["max"] >= 10_000 else f"{value}"
        solara.SliderInt(
            f"{spec['label']}: {shown}",
            value=value,
            min=spec["min"],
            max=spec["max"],
            step=spec["step"],
            on_value=on_value,
            thumb_label=False,
        )


# The trainer's switches: a change now, before the next round (sim.schedule.change_now).
SWITCHES = {
    "The strategy becomes known": ({"regime.use": "open"}, None),
    "Legitimacy shock (-0.2)": (None, {"legitimacy": -0.2}),
}


@solara.component
def Switch(player: Player, show) -> None:
    """Changes now, on one side or both: the room sees what happens next (a dotted line marks it)."""
    session = player.model.session
    sides = session.sides if session is not None else []
    names = ["both sides"] + [s.title.split(" (")[0] for s in sides] if len(sides) > 1 else []
    target = solara.use_reactive("both sides")  # hooks before any return (Solara's rules of hooks)
    if session is None:
        return
    chosen = target.value if target.value in names else "both sides"  # after a Reset to another contrast
    with solara.Card("Now", "Applies before the next round.", margin=0, style={"margin-top": "12px"}):
        if names:
            solara.Select("Apply to", values=names, value=target, dense=True)
        side = None if not names or chosen == names[0] else names.index(chosen) - 1
        for label, (sets, shock) in SWITCHES.items():
            solara.Button(
                label,
                color="primary",
                outlined=True,
                block=True,
                style={"margin-top": "6px", "text-transform": "none", "letter-spacing": "normal"},
                on_click=lambda sets=sets, shock=shock: show(player.apply(sets, shock, side)),
                disabled=session.done,
            )


@solara.component
def Layout(children: list = []) -> None:  # noqa: B006 (Solara's signature for a layout)
    """Solara's app layout: the top bar, the sidebar (folded in presentation mode), the page."""
    solara.Style(CSS)
    solara.AppLayout(children=children, title=TITLE, sidebar_open=not present.value)


@solara.component
def Page() -> None:
    """The dashboard: the run's buttons and settings in the sidebar, the round in the main area."""
    arrangement, compare = initial_settings()
    params = model_params(arrangement, compare)
    router = solara.use_router()

    def start_presenting() -> None:  # --present, or ?present=1 in the address
        asked = parse_qs(router.search or "").get("present", [""])[0]
        if present_from_env() or asked.lower() in ("1", "true", "yes"):
            present.set(True)

    solara.use_effect(start_presenting, [])
    settings = solara.use_reactive({name: spec["value"] for name, spec in params.items()})
    first = solara.use_memo(lambda: Player(DashboardModel(**settings.value)), [])
    player = solara.use_reactive(first)
    frame = solara.use_reactive(first.shown)
    playing = solara.use_reactive(False)
    interval = solara.use_reactive(PLAY_INTERVAL_MS)

    def play_loop() -> None:
        p = player.value
        if not playing.value:
            return
        generation = p.generation
        while p.tick(generation, interval.value / 1000, frame.set):
            pass
        if generation == p.generation:  # not a newer play's loop
            playing.set(False)

    solara.use_thread(play_loop, dependencies=[playing.value, player.value], intrusive_cancel=False)

    def reset() -> None:
        player.value.pause()
        playing.set(False)
        new = Player(DashboardModel(**settings.value))
        player.set(new)
        frame.set(new.shown)

    def play_pause() -> None:
        if playing.value:
            frame.set(player.value.pause())
            playing.set(False)
        else:
            player.value.play()
            playing.set(True)

    with solara.Column(gap="0px"):  # no gaps around the portals of the top bar and sidebar: the page fits
        solara.Title(TITLE)
        with solara.AppBarTitle():
            solara.Text(TITLE)
        with solara.AppBar():
            solara.Button(
                "Leave presentation" if present.value else "Present",
                icon_name="mdi-presentation",
                text=True,
                on_click=lambda: present.set(not present.value),
            )
        with solara.Sidebar():
            with solara.Card("Run", margin=0):
                with solara.Row(justify="space-between"):
                    solara.Button("Reset", color="primary", on_click=reset)
                    solara.Button(
                        "\u275a\u275a" if playing.value else "\u25b6",
                        color="primary",
                        on_click=play_pause,
                        disabled=player.value.done and not playing.value,
                    )
                    solara.Button(
                        "Step",
                        color="primary",
                        on_click=lambda: player.value.step(frame.set),
                        disabled=playing.value or player.value.done,
                    )
                solara.SliderInt(
                    f"Between rounds: {interval.value} ms", value=interval, min=0, max=2000, step=50, thumb_label=False
                )
            Switch(player.value, frame.set)
            with solara.Card(
                "Settings", "A changed setting applies when you press Reset.", margin=0, style={"margin-top": "12px"}
            ):
                for name, spec in params.items():
                    Setting(
                        name,
                        spec,
                        settings.value[name],
                        lambda v, name=name: settings.set({**settings.value, name: v}),
                    )
        MainView(player.value.model, frame.value)


if __name__ == "__main__":  # python -m sim.app: the same command as sim dashboard
    from sim.console import exit_with
    from sim.dashboard import main

    exit_with(main)
