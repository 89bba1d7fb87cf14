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
  over rounds (mean and 95% band over replications), the public account per run
  and the last round's map;
- with ``--mp4``, also ``<name>.mp4``: the GIF's frames and timing as an H.264 video,
  for slides and players that take video rather than GIF.

Every file is written atomically (temp file and rename).

The package, one file per concern; each imports only those listed above it (and
:mod:`sim.views`, whose drawing the dashboard shares):

- ``lesson.py``: the lesson files: :class:`Lesson`, :func:`available`,
  :func:`load_lesson`, the front matter and sections parsed;
- ``pictures.py``: what is drawn: :class:`FramePicture` and :func:`animate` (a frame
  per round), :func:`replicated` and :func:`summary_figure` (the one-page summary);
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
    Lesson,
    LessonError,
    available,
    load_lesson,
    split_front_matter,
    split_sections,
)
from sim.lessons.pictures import FramePicture, animate, plain, replicated, summary_figure, wrap
from sim.lessons.video import FRAME_MS, HOLD_MS, gif_palette, to_palette, write_gif, write_mp4

__all__ = [
    "FRAME_MS",
    "HOLD_MS",
    "LESSON_DIR",
    "SECTIONS",
    "USAGE",
    "FramePicture",
    "Lesson",
    "LessonError",
    "animate",
    "available",
    "check_overrides",
    "gif_palette",
    "load_lesson",
    "main",
    "plain",
    "render",
    "replicated",
    "split_front_matter",
    "split_sections",
    "summary_figure",
    "to_palette",
    "wrap",
    "write_gif",
    "write_mp4",
]
