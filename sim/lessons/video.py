"""A lesson's animation written as a file: the GIF (its palette) and the MP4.

Both have the same timing: a round every :data:`FRAME_MS`, the last round held
:data:`HOLD_MS`. Every file is written atomically (:func:`write_file`: temp file and
rename), so an interrupted render leaves only whole files.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from sim import views

# Frame timing of the GIF: a round every 0.25 s, the last round held for 3 s.
FRAME_MS = 250
HOLD_MS = 3000


def write_gif(frames: Sequence[np.ndarray], path: Path, ramps: Sequence[str] = ("YlOrBr",)) -> None:
    """Write the frames as an animated GIF (a round every FRAME_MS, the last held HOLD_MS), atomically.

    ``ramps`` are the colormaps of the maps' tiles, whose steps the palette keeps exactly.
    """
    palette = gif_palette(frames[-1], ramps)
    images = [to_palette(f, palette) for f in frames]
    durations = [FRAME_MS] * (len(images) - 1) + [HOLD_MS]
    buf = io.BytesIO()
    images[0].save(
        buf, format="GIF", save_all=True, append_images=images[1:], duration=durations, loop=0, optimize=False
    )
    write_file(path, buf.getvalue())


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
        write_file(path, movie.read_bytes())


def gif_palette(frame: np.ndarray, ramps: Sequence[str] = ("YlOrBr",)) -> np.ndarray:
    """One palette for every frame (no flicker), as (n, 3) uint8 RGB.

    The figures' own colours exactly (24 steps of each colour ramp of the tiles), then
    the most frequent others of the fullest frame (the last).
    """
    from matplotlib import colormaps
    from matplotlib.colors import to_rgb
    from PIL import Image

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
    for name in ramps:
        colours += [tuple(round(255 * c) for c in colormaps[name](x)[:3]) for x in np.linspace(0, 1, 24)]
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


def write_file(path: Path, data: bytes) -> None:
    """Write one of the lesson's files atomically (temp file and rename), making its folder."""
    from sim.run import write_atomic

    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, data)  # (readable by others, as any new file: these are for slides)
