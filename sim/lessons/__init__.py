"""Lessons for trainers: ``sim lesson <name>`` renders one without a browser.

A lesson is a scenario file plus a short narrative, both in ``scenarios/lessons/``:
``<name>.yaml`` is an arrangement preset (load it with ``arrangement=lessons/<name>``)
and ``<name>.md`` tells the setup, what to watch, the takeaway and the part of the
essay it illustrates. The narrative's front matter names the contrast the lesson
runs side by side (a key of :data:`sim.views.CONTRASTS`), the indicators to watch,
and what to call the true cause and the proxy.

``sim lesson <name>`` runs both sides of the contrast from the same seed and writes,
to ``results/lessons/<name>/`` (or ``--out``):

- ``<name>.gif``: the two runs round by round (map of places and watched indicators);
- ``<name>_summary.png``: one page for slides: the narrative, the watched indicators
  over rounds (mean and 95% band over replications), the last round's maps (of
  replication 1, the GIF's run, with the mean over replications in their titles),
  each side's public account and the paired difference of the two sides (kEUR per round);
- with ``--mp4``, also ``<name>.mp4``: the GIF's frames and timing as an H.264 video,
  for slides and players that take video rather than GIF.

Every file is written atomically (temp file and rename).

The package, one file per concern; each imports only those listed above it (and
:mod:`sim.views`, whose drawing the dashboard shares):

- ``lesson.py``: the lesson files: :class:`Lesson`, :func:`available`,
  :func:`load_lesson`, the front matter and sections parsed;
- ``panels.py``: what the pictures show: :func:`panels` (names, titles, colours),
  the maps' :data:`TILE_LAYERS`, and :func:`unshown`, what a narrative names that
  they do not draw;
- ``pictures.py``: the animation: :class:`FramePicture` and :func:`animate` (a frame
  per round), and the map both pictures draw (:func:`draw_tiles`);
- ``summary.py``: the one-page summary: :func:`replicated` and :func:`summary_figure`,
  with the account rows (:func:`account`) and their paired difference (:func:`paired`);
- ``video.py``: the frames written as a GIF (its palette) or an MP4, with their
  timing (:data:`FRAME_MS`, :data:`HOLD_MS`), and every file atomically;
- ``command.py``: :func:`render` and ``sim lesson``'s :func:`main` (:data:`USAGE`),
  with :func:`check_overrides`, which refuses what would change the lesson;
- ``__main__.py``: ``python -m sim.lessons``, the same command.

The names re-exported here are those the dashboard (:mod:`sim.app`), the command
line (``sim lesson`` runs :func:`main`) and the tests use.
"""

from sim.lessons.command import USAGE, check_overrides, main, render
from sim.lessons.lesson import (
    LESSON_DIR,
    SECTIONS,
    TILES,
    Lesson,
    LessonError,
    available,
    load_lesson,
    split_front_matter,
    split_sections,
)
from sim.lessons.panels import TILE_LAYERS, Panel, panels, unshown
from sim.lessons.pictures import FramePicture, animate, draw_tiles, plain, wrap
from sim.lessons.summary import account, paired, replicated, settled, summary_figure
from sim.lessons.video import FRAME_MS, HOLD_MS, gif_palette, to_palette, write_gif, write_mp4

__all__ = [
    "FRAME_MS",
    "HOLD_MS",
    "LESSON_DIR",
    "SECTIONS",
    "TILES",
    "TILE_LAYERS",
    "USAGE",
    "FramePicture",
    "Lesson",
    "LessonError",
    "Panel",
    "account",
    "animate",
    "available",
    "check_overrides",
    "draw_tiles",
    "gif_palette",
    "load_lesson",
    "main",
    "paired",
    "panels",
    "plain",
    "render",
    "replicated",
    "settled",
    "split_front_matter",
    "split_sections",
    "summary_figure",
    "to_palette",
    "unshown",
    "wrap",
    "write_gif",
    "write_mp4",
]
