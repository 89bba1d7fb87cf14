"""The validation figures' shared look: palette, panels, bands and the PNG they are saved as.

Every case draws its own figure (in its case file) on panels from :func:`figure`,
so all figures of ``docs/validation/`` share one palette, font size and layout.
"""

from __future__ import annotations

import io
import textwrap
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# matplotlib is imported in the functions that draw, for start-up time (`sim validate --list`
# and bad input do not load it).

# Okabe-Ito: distinguishable with every common colour-vision deficiency.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]


def figure(ncols: int = 2, width: float = 10.0, height: float = 3.8) -> tuple[Figure, list[Axes]]:
    """A figure of ``ncols`` panels side by side (inches), in the validation palette.

    Args:
        ncols: Number of panels.
        width: Width of the figure in inches.
        height: Height of the figure in inches.

    Returns:
        The figure and its panels, left to right.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"axes.prop_cycle": matplotlib.cycler(color=PALETTE), "font.size": 9})
    fig, axes = plt.subplots(1, ncols, figsize=(width, height), squeeze=False, layout="constrained")
    return fig, list(axes[0])


def band(ax: Axes, x: np.ndarray, values: np.ndarray, color: str, label: str) -> None:
    """Mean line with a 10-90% band over runs (``values``: one row per run)."""
    ax.fill_between(x, np.quantile(values, 0.1, axis=0), np.quantile(values, 0.9, axis=0), color=color, alpha=0.2)
    ax.plot(x, values.mean(axis=0), color=color, label=label)


def wrap(text: str, width: int) -> str:
    """``text`` broken into lines of at most ``width`` characters (for titles)."""
    return "\n".join(textwrap.wrap(text, width))


def png(fig: Figure) -> bytes:
    """The figure as the report's PNG (110 dpi, cropped to its content); closes the figure."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()
