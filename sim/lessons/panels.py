"""What a lesson's pictures show: its panels, their titles and colours, and the narrative held to them.

:func:`panels` is the one list of what the GIF and the summary draw for a lesson: each
:class:`Panel` has the name a narrative calls it by, the title the pictures draw it
under, the colours it draws in and the outputs it is in. The pictures take their titles
and colours from it; :func:`unshown` reads a narrative for the panels and colours it
names and lists those the pictures do not have. A narrative names a panel in bold
(``**map**``), and every item of *What to watch* starts with the panel it is about.

:data:`TILE_LAYERS` says what a map's tiles can show (a lesson's ``tiles`` front matter):
true harm, or where actors evade and game.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim import views
from sim.kernels import population as kp
from sim.lessons.lesson import Lesson

SUMMARY, GIF = "summary", "gif"

# What a narrative may call each drawn colour (the Okabe-Ito names and their plain ones);
# the issue that asked for this saw vermillion bars called orange.
COLOUR_WORDS: dict[str, tuple[str, ...]] = {
    views.BLACK: ("black",),
    views.ORANGE: ("orange",),
    views.SKY: ("sky-blue", "sky blue", "light blue"),
    views.GREEN: ("green",),
    views.YELLOW: ("yellow",),
    views.BLUE: ("blue", "dark blue"),
    views.VERMILLION: ("vermillion", "orange"),
    views.PURPLE: ("purple", "pink"),
    views.GREY: ("grey", "gray"),
}
# ... and each colour ramp of the map's tiles.
RAMP_WORDS: dict[str, tuple[str, ...]] = {"YlOrBr": ("yellow", "orange", "brown"), "Reds": ("red",)}
# Colour words looked for in a narrative: all of the above and the common others.
_OTHER_COLOURS = ("red", "brown", "violet", "magenta", "cyan", "turquoise", "white")
_WORDS = sorted(
    {w for ws in (*COLOUR_WORDS.values(), *RAMP_WORDS.values()) for w in ws} | set(_OTHER_COLOURS),
    key=len,
    reverse=True,  # the longest first: "sky-blue" is one colour, not "blue"
)
_COLOUR_RE = re.compile(r"\b(" + "|".join(re.escape(w).replace(r"\ ", r"[ -]") for w in _WORDS) + r")\b", re.I)


_DETERMINERS = {"the", "its", "this", "that", "each", "every", "a", "one", "either", "both"}


@dataclass(frozen=True)
class Panel:
    """One panel of a lesson's pictures.

    Attributes:
        name: What the narrative calls it (in bold); its title starts with it.
        title: The title the pictures draw over it.
        colours: The colours it draws in (hex).
        ramps: The colour ramps it draws with (matplotlib colormap names).
        outputs: The pictures it is in (:data:`SUMMARY`, :data:`GIF`).
    """

    name: str
    title: str
    colours: tuple[str, ...] = ()
    ramps: tuple[str, ...] = ()
    outputs: tuple[str, ...] = (SUMMARY, GIF)

    def words(self) -> set[str]:
        """The colour words that fit what it draws."""
        return {w for c in self.colours for w in COLOUR_WORDS.get(c, ())} | {
            w for r in self.ramps for w in RAMP_WORDS.get(r, ())
        }


@dataclass(frozen=True)
class TileLayer:
    """What a map's tiles show.

    Attributes:
        what: What the map shows, for its title (tiles against circles).
        unit: Unit of the tile values, for the scale (``darkest 3,000 violations``).
        ramp: The colormap of the tiles.
        little: Legend label of the light end.
        much: Legend label of the dark end.
        metric: The indicator (a key of :data:`sim.views.METRICS`) the map's title gives.
        values: Tile values of a side in its last round.
        gamma: Exponent of the colour scale (0.5: square root, for values a few places dwarf).
    """

    what: str
    unit: str
    ramp: str
    little: str
    much: str
    metric: str
    values: Callable[[views.Side], np.ndarray]
    gamma: float = 1.0


def _evading(side: views.Side) -> np.ndarray:
    """Per place, the % of its actors who evaded or gamed in the last round (``evasion_rate`` of the place)."""
    t = side.model.tally_prev.astype(np.float64)
    return 100.0 * (t[:, kp.T_EVADING] + t[:, kp.T_GAMED]) / np.maximum(t[:, kp.T_ACTORS], 1.0)


TILE_LAYERS: dict[str, TileLayer] = {
    "harm": TileLayer(
        "true harm (tiles) vs capacity (circles)",
        "violations",
        "YlOrBr",
        "little harm",
        "much harm",
        "misallocation",
        lambda side: side.place_harm(),
    ),
    "evasion": TileLayer(
        "evasion and gaming (tiles) vs capacity (circles)",
        "% of actors",
        "Reds",
        "no evasion",
        "much evasion and gaming",
        "evasion_rate",
        _evading,
        0.5,  # a few places with a fifth of their actors evading would wash out the many with a twentieth
    ),
}

# Colours of the paired difference's rows: the account's components, as the dashboard stacks them.
DIFFERENCE_COLOURS = (*(colour for *_, colour in views.ACCOUNT_PARTS), views.BLACK)


def watched(lesson: Lesson) -> list[str]:
    """The indicators a lesson's pictures draw over the rounds (the summary shows the first two)."""
    return list(lesson.watch) or list(views.INDICATORS[:2])


def panels(lesson: Lesson) -> tuple[Panel, ...]:
    """Every panel of a lesson's GIF and summary, as the pictures draw them."""
    watch = watched(lesson)
    layer = TILE_LAYERS[lesson.tiles]
    out = [
        Panel(
            views.METRICS[m].label, views.METRICS[m].label, views.SIDE_COLOURS, (), (SUMMARY, GIF) if k < 2 else (GIF,)
        )
        for k, m in enumerate(watch)
    ]
    out += [
        Panel("map", "map", (views.BLACK, views.BLUE, views.PURPLE), (layer.ramp,)),
        Panel("public account", "public account", views.SIDE_COLOURS, (), (SUMMARY,)),
        Panel("paired difference", "paired difference", DIFFERENCE_COLOURS, (), (SUMMARY,)),
    ]
    return tuple(out)


def panel(lesson: Lesson, name: str) -> Panel:
    """The lesson's panel of that name."""
    return next(p for p in panels(lesson) if p.name == name)


def unshown(lesson: Lesson, drawn: tuple[Panel, ...] | None = None) -> list[str]:
    """What the narrative names that the pictures do not draw; empty when all is there.

    Checks that every bold phrase is a panel of the summary (the page the narrative is
    printed on), that every item of *What to watch* starts with one, that no "... panel"
    or "... chart" names another, and that every colour word fits a colour drawn: in the
    panels its sentence names, or anywhere when it names none.

    Args:
        lesson: The lesson, with its narrative.
        drawn: Its panels (default :func:`panels`).
    """
    drawn = panels(lesson) if drawn is None else drawn
    names = {p.name.casefold() for p in drawn if SUMMARY in p.outputs}
    listed = ", ".join(sorted(names))
    problems = []
    for ref in re.findall(r"\*\*(.+?)\*\*", lesson.narrative):
        if ref.strip().casefold() not in names:
            problems.append(f"'{ref}' names no panel of the summary (it has: {listed})")
    for item in re.findall(r"^\s*[-*] (.+)$", lesson.sections.get("What to watch", ""), re.M):
        if not re.match(r"\*\*(.+?)\*\*", item):
            problems.append(f"the item '{item[:50]}' does not start with the panel it is about, in bold ({listed})")
    plain = re.sub(r"\*\*(.+?)\*\*", "", lesson.narrative)
    for m in re.finditer(r"([\w-]+) (panel|chart|graph|plot)s?\b", plain, re.I):
        if m.group(1).casefold() in _DETERMINERS:  # "the chart": the one the sentence is about
            continue
        if not any(n.split()[-1] == m.group(1).casefold() for n in names):
            problems.append(f"'{m.group(0)}' names no panel of the summary (it has: {listed})")
    every = set().union(*(p.words() for p in drawn))
    for sentence in re.split(r"(?<=[.!?:])\s+|\n\s*[-*] ", lesson.narrative):
        # a colour in a sentence that names a panel must be one of that panel's
        named = [p for p in drawn if re.search(rf"\b{re.escape(p.name)}\b", sentence, re.I)]
        words = set().union(*(p.words() for p in named)) if named else every
        for m in _COLOUR_RE.finditer(sentence):
            word = re.sub(r"[ -]", "-", m.group(1).casefold())
            if word not in {w.replace(" ", "-") for w in words}:
                where = f"the {', '.join(p.name for p in named)}" if named else "the pictures"
                problems.append(
                    f"the colour '{m.group(1)}' is not drawn in {where} (its colours: {', '.join(sorted(words))})"
                )
    return problems
