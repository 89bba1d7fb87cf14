"""A lesson's files: its scenario and its narrative, found, read and checked.

A lesson is a scenario file plus a short narrative, both in ``scenarios/lessons/``:
``<name>.yaml`` is an arrangement preset (load it with ``arrangement=lessons/<name>``)
and ``<name>.md`` tells the setup, what to watch, the takeaway and the part of the
essay it illustrates, each a ``## `` section (:data:`SECTIONS`). The narrative's front
matter (YAML between ``---`` lines) names the contrast the lesson runs side by side (a
key of :data:`sim.views.CONTRASTS`), the indicators to watch, and what to call the true
cause and the proxy, and what the map's tiles show (``tiles``: one of :data:`TILES`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from sim import views
from sim.hydra_conf import SCENARIO_DIR

LESSON_DIR = SCENARIO_DIR / "lessons"
SECTIONS = ("Setup", "What to watch", "Takeaway", "In the essay")
# What a lesson's map can show on its tiles (sim.lessons.panels.TILE_LAYERS draws each).
TILES = ("harm", "evasion")


class LessonError(ValueError):
    """A lesson name that does not exist, or a lesson whose files are malformed."""


@dataclass(frozen=True)
class Lesson:
    """One lesson: its scenario, its contrast and its narrative.

    Attributes:
        name: File stem in ``scenarios/lessons/``.
        title: Human title (front matter ``title``).
        contrast: Key of :data:`sim.views.CONTRASTS` run side by side.
        watch: Indicators to watch (keys of :data:`sim.views.METRICS`).
        names: Names of the feature kinds (``cause``, ``proxy``) in this story.
        essay: The part of the essay it illustrates.
        tiles: What its map's tiles show (one of :data:`TILES`; default true harm).
        sections: The narrative's sections by heading (``Setup``, ``What to watch``, ...).
        narrative: The markdown body (without front matter).
    """

    name: str
    title: str
    contrast: str
    watch: tuple[str, ...]
    names: dict[str, str] = field(default_factory=dict)
    essay: str = ""
    tiles: str = "harm"
    sections: dict[str, str] = field(default_factory=dict)
    narrative: str = ""

    @property
    def arrangement(self) -> str:
        """The ``arrangement`` override that loads its scenario."""
        return f"lessons/{self.name}"

    @property
    def overrides(self) -> list[str]:
        """Hydra overrides that select the lesson's scenario."""
        return [f"arrangement={self.arrangement}"]

    @property
    def contrasted(self) -> dict[str, list[str]]:
        """The keys the lesson's contrast sets, with the value of each side (left, right)."""
        keys: dict[str, list[str]] = {}
        c = views.CONTRASTS[self.contrast]
        for _, extra in (c.left, c.right):
            for ov in extra:
                key, _, value = ov.partition("=")
                keys.setdefault(key, []).append(value)
        return keys


def available() -> list[str]:
    """Names of the lessons (a scenario file with its narrative)."""
    return sorted(p.stem for p in LESSON_DIR.glob("*.yaml") if p.with_suffix(".md").is_file())


def load_lesson(name: str) -> Lesson:
    """Read a lesson's narrative and front matter.

    Raises:
        LessonError: Unknown name (the message lists the lessons) or malformed files.
    """
    names = available()
    if name not in names:
        raise LessonError(f"unknown lesson {name!r}. Available lessons: {', '.join(names)}.")
    path = LESSON_DIR / f"{name}.md"
    meta, body = split_front_matter(path.read_text(encoding="utf-8"), str(path))
    contrast = meta.get("contrast")
    if contrast not in views.CONTRASTS:
        raise LessonError(f"{path}: contrast {contrast!r} is not one of {', '.join(views.CONTRASTS)}")
    watch = tuple(meta.get("watch") or ())
    unknown = [m for m in watch if m not in views.METRICS]
    if unknown:
        raise LessonError(f"{path}: watch {unknown} not among {', '.join(views.METRICS)}")
    tiles = meta.get("tiles", "harm")
    if tiles not in TILES:
        raise LessonError(f"{path}: tiles {tiles!r} is not one of {', '.join(TILES)}")
    sections = split_sections(body)
    missing = [s for s in SECTIONS if s not in sections]
    if missing:
        raise LessonError(f"{path}: the narrative lacks the section(s) {', '.join(missing)}")
    return Lesson(
        name=name,
        title=str(meta.get("title", name)),
        contrast=contrast,
        watch=watch,
        names={str(k): str(v) for k, v in (meta.get("names") or {}).items()},
        essay=str(meta.get("essay", "")),
        tiles=tiles,
        sections=sections,
        narrative=body.strip(),
    )


def split_front_matter(text: str, source: str = "") -> tuple[dict, str]:
    """Split ``---``-delimited YAML front matter from a markdown body."""
    m = re.match(r"\A---\s*\n(.*?)\n---\s*\n(.*)\Z", text, re.S)
    if not m:
        raise LessonError(f"{source}: no front matter (a YAML block between '---' lines at the top)")
    meta = yaml.safe_load(m.group(1)) or {}
    if not isinstance(meta, dict):
        raise LessonError(f"{source}: the front matter is not a mapping")
    return meta, m.group(2)


def split_sections(body: str) -> dict[str, str]:
    """The ``## Heading`` sections of a markdown body, by heading."""
    parts = re.split(r"^##\s+(.+?)\s*$", body, flags=re.M)
    return {parts[i].strip(): parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}
