"""``sim lesson``: a lesson rendered without a browser, and its command line.

:func:`render` checks everything first (the lesson, the overrides, that the output
folder can be written: :func:`check_overrides`), then runs both sides of the lesson's
contrast from the same seed and writes the GIF (and the MP4) and the summary PNG.
:func:`main` reads the command line (:data:`USAGE`) and turns a refusal into a message
and exit status 2.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from sim import views
from sim.config import ConfigError
from sim.lessons.lesson import Lesson, LessonError, available, load_lesson
from sim.lessons.panels import TILE_LAYERS
from sim.lessons.pictures import animate
from sim.lessons.summary import replicated, summary_figure
from sim.lessons.video import write_file, write_gif, write_mp4

USAGE = """usage: sim lesson <name> [--out DIR] [--mp4] [override ...]
       sim lesson --list

Runs a lesson's two runs side by side without a browser and writes an animated GIF
and a one-page PNG summary (default folder results/lessons/<name>/); --mp4 also
writes the animation as an MP4 video (H.264). Overrides use Hydra syntax, e.g.
world.actors=20000 run.rounds=20 run.replications=3. They change the lesson's
settings; its arrangement and the key it runs side by side are its own (an override
of them stops with exit status 2)."""


def check_overrides(lesson: Lesson, overrides: Sequence[str]) -> None:
    """Refuse overrides that would change what the lesson is.

    A lesson is a fixed pair of runs: its own arrangement (story, names and file names
    are that arrangement's) and the one key its contrast sets, one value per side. An
    ``arrangement`` override would show another arrangement under the lesson's name, and
    one of a contrasted key would be overridden by the contrast on both sides, silently.
    Any other setting (its scale, seed, role, the phases it does not contrast, ...) may change.

    Raises:
        ConfigError: Naming the key, the value given and why (before any work).
    """
    contrasted = lesson.contrasted
    for raw in overrides:
        key, _, value = raw.partition("=")
        key = key.lstrip("+~").split("@", 1)[0]
        if (key == "arrangement" and value != lesson.arrangement) or key.startswith("arrangement."):
            other = (
                f". To run {value}: python -m sim arrangement={value}, or sim dashboard"
                if key == "arrangement" and value
                else ""
            )
            raise ConfigError(
                key,
                value,
                f"none: lesson {lesson.name} runs its own arrangement ({lesson.arrangement}), which its story "
                "tells and its files are named after; its settings (world.actors, run.rounds, run.replications, "
                f"run.seed, ...) may change{other}",
                "the command line",
            )
        if key in contrasted:
            sides = contrasted[key]
            raise ConfigError(
                key,
                value,
                f"none: lesson {lesson.name} sets {key} itself, {sides[0]} on one side and {sides[-1]} on the "
                f"other ({views.CONTRASTS[lesson.contrast].label}); its other settings may change",
                "the command line",
            )


def render(name: str, overrides: Sequence[str] = (), out: Path | None = None, mp4: bool = False) -> dict[str, object]:
    """Render a lesson: the GIF and the one-page PNG summary (and the MP4).

    Args:
        name: Lesson name (see :func:`available`).
        overrides: Extra Hydra overrides (e.g. ``world.actors=20000``).
        out: Output folder (default ``results/lessons/<name>``).
        mp4: Also write the animation as an MP4 video.

    Returns:
        Paths written and figures measured (frames, seconds).

    Raises:
        LessonError: Unknown or malformed lesson.
        ConfigError: Overrides that do not make a valid configuration or that would
            change the lesson (:func:`check_overrides`), or an output folder that cannot
            be created and written (refused before any work).
    """
    from sim.kernels.population import PARALLEL_MIN_ACTORS, warmup
    from sim.run import unwritable

    lesson = load_lesson(name)
    check_overrides(lesson, overrides)
    folder = Path(out) if out is not None else Path("results") / "lessons" / name
    problem = unwritable(folder)
    if problem:
        where = "the command line" if out is not None else "the default"
        raise ConfigError("--out", str(folder), f"a folder that can be created and written; {problem}", where)
    session = views.Session([*lesson.overrides, *overrides], lesson.contrast, lesson.names)
    warmup(parallel=session.sides[0].cfg.world.actors >= PARALLEL_MIN_ACTORS)
    t0 = time.perf_counter()
    frames = animate(lesson, session)
    written = {"gif": folder / f"{name}.gif"}
    write_gif(frames, written["gif"], ramps=(TILE_LAYERS[lesson.tiles].ramp,))
    if mp4:
        written["mp4"] = folder / f"{name}.mp4"
        write_mp4(frames, written["mp4"])
    t1 = time.perf_counter()
    png = folder / f"{name}_summary.png"
    write_file(png, views.figure_png(summary_figure(lesson, session, replicated(lesson, session)), dpi=150))
    written["png"] = png
    return {**written, "frames": len(frames), "gif_s": t1 - t0, "summary_s": time.perf_counter() - t1}


def main(argv: list[str] | None = None) -> int:
    """``sim lesson <name> [--out DIR] [override ...]``; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE + f"\n\nLessons: {', '.join(available())}")
        return 0 if argv else 2
    if argv[0] == "--list":
        for name in available():
            lesson = load_lesson(name)
            print(f"{name:22s} {lesson.title}: {views.CONTRASTS[lesson.contrast].label}")
        return 0
    name, rest = argv[0], argv[1:]
    out: Path | None = None
    mp4 = False
    overrides: list[str] = []
    i = 0
    while i < len(rest):
        arg = rest[i]
        if arg == "--out" and i + 1 < len(rest):
            out, i = Path(rest[i + 1]), i + 2
            continue
        if arg == "--mp4":
            mp4 = True
        elif arg.startswith("--out="):
            out = Path(arg.split("=", 1)[1])
        elif arg.startswith("-"):
            print(f"error: unknown option {arg!r}.\n{USAGE}", file=sys.stderr)
            return 2
        else:
            overrides.append(arg)
        i += 1
    try:
        result = render(name, overrides, out, mp4)
    except (LessonError, ConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # e.g. the disk filled up: every file written so far is whole
        print(f"error: could not write the lesson: {exc}", file=sys.stderr)
        return 1
    print(
        f"lesson {name}: {result['frames']} frames in {result['gif_s']:.1f} s, summary in {result['summary_s']:.1f} s"
    )
    files = [result[kind] for kind in ("gif", "mp4", "png") if kind in result]
    print("wrote " + ", ".join(str(f) for f in files[:-1]) + f" and {files[-1]}")
    return 0
