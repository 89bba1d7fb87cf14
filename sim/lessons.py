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
"""

from __future__ import annotations

import io
import logging
import math
import re
import sys
import tempfile
import textwrap
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim import views
from sim.config import ConfigError
from sim.hydra_conf import SCENARIO_DIR

LESSON_DIR = SCENARIO_DIR / "lessons"
SECTIONS = ("Setup", "What to watch", "Takeaway", "In the essay")
USAGE = """usage: sim lesson <name> [--out DIR] [--mp4] [override ...]
       sim lesson --list

Runs a lesson's two runs side by side without a browser and writes an animated GIF
and a one-page PNG summary (default folder results/lessons/<name>/); --mp4 also
writes the animation as an MP4 video (H.264). Overrides use Hydra syntax, e.g.
world.actors=20000 run.rounds=20 run.replications=3."""

# Frame timing of the GIF: a round every 0.25 s, the last round held for 3 s.
FRAME_MS = 250
HOLD_MS = 3000


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
        sections: The narrative's sections by heading (``Setup``, ``What to watch``, ...).
        narrative: The markdown body (without front matter).
    """

    name: str
    title: str
    contrast: str
    watch: tuple[str, ...]
    names: dict[str, str] = field(default_factory=dict)
    essay: str = ""
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


def plain(markdown: str) -> str:
    """Markdown reduced to plain text for figures (emphasis, code and links removed)."""
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", markdown)
    text = re.sub(r"[*_`]+", "", text)
    return re.sub(r"[ \t]+", " ", text)


def wrap(markdown: str, width: int) -> str:
    """Plain text of a markdown section, wrapped; list items keep their own lines."""
    lines = []
    for para in re.split(r"\n\s*\n", plain(markdown)):
        items = re.split(r"\n(?=\s*[-*] )", para.strip())
        for item in items:
            bullet = item.lstrip().startswith(("- ", "* "))
            body = re.sub(r"\s+", " ", re.sub(r"^\s*[-*] ", "", item)).strip()
            lines.append(
                textwrap.fill(
                    body, width, initial_indent="- " if bullet else "", subsequent_indent="  " if bullet else ""
                )
            )
        lines.append("")
    return "\n".join(lines).strip()


# ---------------------------------------------------------------- the animation
class FramePicture(views.Live):
    """One frame of the GIF (1280 x 720 px): both maps above, watched indicators below."""

    def __init__(self, lesson: Lesson, session: views.Session) -> None:
        super().__init__()
        self.lesson, self.session = lesson, session
        self.watch = list(lesson.watch) or list(views.INDICATORS[:2])
        self.maps: list = []
        self.panels: list = []

    def key(self) -> object:
        """The limits of the watched indicators."""
        sides = self.session.sides
        return tuple(self.widen(m, views.metric_limits(sides, m)) for m in self.watch)

    def build(self) -> Figure:
        """Subtitle, empty maps, indicator axes and legends."""
        sides = self.session.sides
        fig = Figure(figsize=(12.8, 7.2), dpi=100)
        fig.text(
            0.5,
            0.935,
            f"Same seed, same world; only this differs: {views.CONTRASTS[self.lesson.contrast].label}",
            ha="center",
            va="top",
            fontsize=11,
            color=views.GREY,
        )
        maps = fig.add_gridspec(1, 2, left=0.01, right=0.99, top=0.8, bottom=0.42, wspace=0.04)
        self.maps = []
        for j, side in enumerate(sides):
            ax = fig.add_subplot(maps[j])
            views.map_axes(ax, side)
            fig.text(
                0.25 + 0.5 * j,
                0.885,
                side.title,
                ha="center",
                va="top",
                fontsize=12,
                fontweight="bold",
                color=views.SIDE_COLOURS[j],
            )
            self.maps.append(ax)
        views.map_legend(fig, self.session.names, None, 0.335)
        grid = fig.add_gridspec(1, len(self.watch), left=0.06, right=0.98, top=0.29, bottom=0.1, wspace=0.28)
        self.panels = []
        for k, metric in enumerate(self.watch):
            m = views.METRICS[metric]
            ax = fig.add_subplot(grid[k])
            views._x_axis(ax, self.session.rounds)
            ax.set_title(m.label, fontsize=11)
            ax.set_ylabel(m.unit, fontsize=9)
            ax.set_ylim(*self._limits[metric])
            self.panels.append(ax)
        fig.legend(
            handles=_side_handles(sides),
            loc="lower center",
            bbox_to_anchor=(0.5, 0.0),
            ncol=2,
            fontsize=10,
            frameon=False,
        )
        return fig

    def dynamic(self) -> list:
        """The title with the round, both maps and the indicator lines."""
        session, sides = self.session, self.session.sides
        out = [
            self.fig.text(
                0.5,
                0.985,
                f"{self.lesson.title}: round {session.round} of {session.rounds}",
                ha="center",
                va="top",
                fontsize=17,
                fontweight="bold",
            )
        ]
        harm_max = self.widen("harm scale", (0.0, views.harm_scale(sides)))[1]
        units_max = max(float(s.place_units().max()) for s in sides)
        for ax, side in zip(self.maps, sides, strict=True):
            out += views.draw_map(ax, side, harm_max, units_max)
        for ax, metric in zip(self.panels, self.watch, strict=True):
            m = views.METRICS[metric]
            for j, side in enumerate(sides):
                out += ax.plot(
                    np.arange(1, side.round + 1),
                    m.scale * side.series(metric) if side.round else [],
                    color=views.SIDE_COLOURS[j],
                    linestyle=("-", "--")[j],
                    linewidth=2.2,
                )
        return out


def _side_handles(sides: Sequence[views.Side]) -> list[Line2D]:
    return [
        Line2D([], [], color=views.SIDE_COLOURS[j], linestyle=("-", "--")[j], linewidth=2.2, label=s.title)
        for j, s in enumerate(sides)
    ]


def animate(lesson: Lesson, session: views.Session) -> list[np.ndarray]:
    """Step the session to its end, drawing a frame per round (RGB, 1280 x 720)."""
    picture = FramePicture(lesson, session)
    frames = []
    while not session.done:
        session.step()
        frames.append(picture.rgba()[..., :3].copy())
    return frames


def write_gif(frames: Sequence[np.ndarray], path: Path) -> None:
    """Write the frames as an animated GIF (a round every FRAME_MS, the last held HOLD_MS), atomically."""
    palette = gif_palette(frames[-1])
    images = [to_palette(f, palette) for f in frames]
    durations = [FRAME_MS] * (len(images) - 1) + [HOLD_MS]
    buf = io.BytesIO()
    images[0].save(
        buf, format="GIF", save_all=True, append_images=images[1:], duration=durations, loop=0, optimize=False
    )
    _write(path, buf.getvalue())


def write_mp4(frames: Sequence[np.ndarray], path: Path) -> None:
    """Write the frames as an MP4 video with the GIF's timing, atomically.

    H.264 in yuv420p with the index at the front (``+faststart``): what presentation
    software and browsers play. A round every FRAME_MS; the last round is held HOLD_MS
    by repeating its frame, as a video has one frame rate. ffmpeg comes with the
    ``imageio-ffmpeg`` package; it writes into a temporary folder, and the finished
    file is then written to ``path`` as every result is.
    """
    import imageio_ffmpeg

    height, width = frames[0].shape[:2]
    shown = [*frames, *[frames[-1]] * (round(HOLD_MS / FRAME_MS) - 1)]
    with tempfile.TemporaryDirectory() as tmp:
        movie = Path(tmp) / "lesson.mp4"
        writer = imageio_ffmpeg.write_frames(
            str(movie),
            (width, height),
            fps=1000 / FRAME_MS,
            codec="libx264",
            output_params=["-movflags", "+faststart"],
            ffmpeg_log_level="error",  # not its warning that a few frames cannot show their rate (it is given)
        )
        writer.send(None)  # start ffmpeg
        for frame in shown:
            writer.send(np.ascontiguousarray(frame))
        writer.close()
        _write(path, movie.read_bytes())


def gif_palette(frame: np.ndarray) -> np.ndarray:
    """One palette for every frame (no flicker), as (n, 3) uint8 RGB.

    The figures' own colours exactly, then the most frequent others of the fullest
    frame (the last).
    """
    from matplotlib import colormaps
    from matplotlib.colors import to_rgb
    from PIL import Image

    ramp = colormaps["YlOrBr"]
    fixed = [
        "#FFFFFF",
        views.BLACK,
        views.GREY,
        "#E5E5E5",
        "#404040",
        views.ORANGE,
        views.SKY,
        views.GREEN,
        views.YELLOW,
        views.BLUE,
        views.VERMILLION,
        views.PURPLE,
    ]
    colours = [tuple(round(255 * c) for c in to_rgb(h)) for h in fixed]
    colours += [tuple(round(255 * c) for c in ramp(x)[:3]) for x in np.linspace(0, 1, 24)]
    rest = 256 - len(colours)
    flat = Image.fromarray(frame).quantize(colors=rest, method=Image.Quantize.MEDIANCUT).getpalette()[: 3 * rest]
    fixed_rgb = np.array(colours)
    for c in np.array(flat).reshape(-1, 3):
        if np.abs(fixed_rgb - c).sum(axis=1).min() > 12:  # near-copies of a fixed colour are not needed
            colours.append(tuple(int(v) for v in c))
    return np.array(colours[:256], dtype=np.uint8)


def to_palette(frame: np.ndarray, palette: np.ndarray):
    """A P-mode image of an RGB frame with each pixel's nearest palette colour.

    Done here rather than with Pillow's quantize, whose lookup is approximate (a white
    background came out off-white). Frames hold few distinct colours, so the search
    runs over those only.
    """
    from PIL import Image

    packed = (frame[..., 0].astype(np.int32) << 16) | (frame[..., 1].astype(np.int32) << 8) | frame[..., 2]
    unique, inverse = np.unique(packed.ravel(), return_inverse=True)
    rgb = np.stack([(unique >> 16) & 255, (unique >> 8) & 255, unique & 255], axis=1).astype(np.int32)
    nearest = np.empty(len(rgb), dtype=np.uint8)
    pal = palette.astype(np.int32)
    for start in range(0, len(rgb), 4096):  # bounded memory: 4096 x 256 distances at a time
        d = ((rgb[start : start + 4096, None, :] - pal[None, :, :]) ** 2).sum(axis=2)
        nearest[start : start + 4096] = d.argmin(axis=1)
    image = Image.fromarray(nearest[inverse].reshape(frame.shape[:2]), mode="P")
    image.putpalette(palette.ravel().tolist())
    return image


# ------------------------------------------------------------------ the summary
def replicated(lesson: Lesson, session: views.Session) -> list:
    """Every replication of both sides, as rounds DataFrames (left, right).

    Stepped through :class:`sim.views.Side` rather than :func:`sim.run.run` so that
    the derived indicators (``top_share``) are there too; the numbers are the same.
    """
    import pandas as pd

    frames = []
    for side in session.sides:
        rows = []
        for rep in range(side.cfg.run.replications):
            twin = views.Side(side.title, side.cfg, rep)
            for _ in range(session.rounds):
                twin.step()
            rows.extend({**r, "replication": rep} for r in twin.records)
        frames.append(pd.DataFrame(rows))
    return frames


def summary_figure(lesson: Lesson, session: views.Session, frames: Sequence) -> Figure:
    """The one-page summary for slides (16:9).

    Args:
        lesson: The lesson.
        session: Its session after the last round (for the map).
        frames: The two rounds DataFrames of :func:`replicated` (left, right).
    """
    from sim.run import interval, run_totals

    sides = session.sides
    fig = Figure(figsize=(13.333, 7.5))
    fig.text(0.02, 0.975, f"Lesson: {lesson.title}", fontsize=20, fontweight="bold", va="top")
    reps = int(frames[0]["replication"].nunique())
    cfg = sides[0].cfg
    fig.text(
        0.02,
        0.915,
        f"Side by side: {views.CONTRASTS[lesson.contrast].label}; same seed ({cfg.run.seed}), {reps} replications x "
        f"{session.rounds} rounds x {cfg.world.actors:,} actors.\nEssay: {lesson.essay}",
        fontsize=9.5,
        color=views.GREY,
        va="top",
    )
    # The narrative, left column.
    y, line = 0.85, 9.5 * 1.35 / (7.5 * 72)  # a text line as a fraction of the page height
    for heading in SECTIONS:
        fig.text(0.02, y, heading, fontsize=12, fontweight="bold", va="top")
        body = wrap(lesson.sections[heading], 60)
        fig.text(0.02, y - 0.033, body, fontsize=9.5, va="top", linespacing=1.35)
        y -= 0.033 + line * (body.count("\n") + 1) + 0.025
    # The watched indicators over rounds: mean and 95% band over replications.
    top = fig.add_gridspec(1, 2, left=0.44, right=0.985, top=0.835, bottom=0.55, wspace=0.25)
    watch = list(lesson.watch)[:2] or list(views.INDICATORS[:2])
    for k, metric in enumerate(watch):
        _band(fig.add_subplot(top[0, k]), frames, metric, session.rounds, sides)
    bottom = fig.add_gridspec(1, 2, left=0.53, right=0.985, top=0.44, bottom=0.15, wspace=0.08, width_ratios=[1, 1.1])
    # The public account per run: weighted components and public value, 95% intervals.
    totals = [run_totals(f) for f in frames]
    _account_bars(fig.add_subplot(bottom[0, 0]), totals, cfg, sides, int(frames[0]["round"].max()), interval)
    # The last round's map of both sides (replication 0, as in the GIF), one above the other.
    maps = bottom[0, 1].subgridspec(2, 1, hspace=0.55)
    harm_max = views.harm_scale(sides)
    units_max = max(float(s.place_units().max()) for s in sides)
    for j, side in enumerate(sides):
        ax = fig.add_subplot(maps[j])
        views.map_axes(ax, side)
        views.draw_map(ax, side, harm_max, units_max, title=False)
        mis = side.records[-1]["misallocation"]
        ax.set_title(
            f"{side.title}\nround {side.round}, misallocation {mis:.0%}", fontsize=9, color=views.SIDE_COLOURS[j]
        )
    views.map_legend(fig, session.names, harm_max, 0.0, x=0.665, ncol=5, fontsize=8)
    return fig


def _band(ax, frames, metric: str, rounds: int, sides) -> None:
    m = views.METRICS[metric]
    views._x_axis(ax, rounds)
    ax.set_title(f"{m.label} (mean and 95% interval)", fontsize=10.5)
    ax.set_ylabel(m.unit, fontsize=9)
    for j, df in enumerate(frames):
        g = df.groupby("round")[metric]
        mean, sd, n = g.mean() * m.scale, g.std(ddof=1).fillna(0.0) * m.scale, g.count()
        half = 1.96 * sd / np.sqrt(np.maximum(n, 1))
        x = mean.index.to_numpy()
        ax.fill_between(x, mean - half, mean + half, color=views.SIDE_COLOURS[j], alpha=0.2, linewidth=0)
        ax.plot(x, mean, color=views.SIDE_COLOURS[j], linestyle=("-", "--")[j], linewidth=2.0, label=sides[j].title)
    if m.share:
        ax.set_ylim(-0.03 * m.scale, 1.03 * m.scale)
    ax.legend(fontsize=8, frameon=False, loc="best")


def _account_bars(ax, totals, cfg, sides, rounds: int, interval) -> None:
    """Weighted run totals of the account components, side by side, with 95% intervals."""
    w = cfg.weights
    short = {"positive side effects": "positive side eff.", "negative side effects": "negative side eff."}
    rows = [(short.get(label, label), col, getattr(w, key)) for col, key, label, _ in views.ACCOUNT_PARTS]
    rows[2] = ("support (weighted)", rows[2][1], rows[2][2])
    rows.append(("public value", "public_value", 1.0))
    y = np.arange(len(rows))
    for j, t in enumerate(totals):
        stats = []
        for _, col, weight in rows:
            # Legitimacy's run total is its mean over rounds; its weight applies per round.
            scale = weight * (rounds if col == "legitimacy" else 1)
            mean, lo, hi = interval(scale * t[col].to_numpy())
            stats.append((mean, mean - lo if not math.isnan(lo) else 0.0, hi - mean if not math.isnan(hi) else 0.0))
        means = np.array([s[0] for s in stats]) / 1000.0
        err = np.array([[s[1] for s in stats], [s[2] for s in stats]]) / 1000.0
        ax.barh(
            y + (-0.2 if j == 0 else 0.2),
            means,
            height=0.38,
            color=views.SIDE_COLOURS[j],
            alpha=0.85,
            xerr=err,
            error_kw={"elinewidth": 1, "capsize": 2},
            label=sides[j].title,
        )
    ax.axvline(0, color=views.BLACK, linewidth=0.8)
    ax.set_yticks(y, [r[0] for r in rows], fontsize=8.5)
    ax.invert_yaxis()
    ax.set_xlabel("MEUR per run (weighted; 95% interval over replications)", fontsize=8.5)
    ax.set_title("public account per run", fontsize=10.5)
    ax.tick_params(labelsize=8)
    ax.grid(True, axis="x", color="#E5E5E5", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)


def _write(path: Path, data: bytes) -> None:
    from sim.run import write_atomic

    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, data)  # (readable by others, as any new file: these are for slides)


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
        ConfigError: Overrides that do not make a valid configuration, or an output
            folder that cannot be created and written (refused before any work).
    """
    from sim.kernels.population import PARALLEL_MIN_ACTORS, warmup
    from sim.run import unwritable

    lesson = load_lesson(name)
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
    write_gif(frames, written["gif"])
    if mp4:
        written["mp4"] = folder / f"{name}.mp4"
        write_mp4(frames, written["mp4"])
    t1 = time.perf_counter()
    png = folder / f"{name}_summary.png"
    _write(png, views.figure_png(summary_figure(lesson, session, replicated(lesson, session)), dpi=150))
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


if __name__ == "__main__":
    from sim.console import exit_with

    exit_with(main)
