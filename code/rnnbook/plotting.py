"""Plotting helpers shared by the chapters (matplotlib only), and the book's figure style.

Importing this module applies :data:`BOOK_STYLE` (call :func:`use_book_style` again after
``plt.style.use`` or ``%matplotlib inline`` resets it). The HTML book shows code and figures in
a column about 780 px wide (measured at a 1400 px window); a figure wider than
:data:`COLUMN_WIDTH` inches at :data:`DPI` is scaled down to fit, and its text with it. At the
default sizes, a figure up to 8.5 in wide keeps its tick labels and legends at 14 px or more,
the size of the book's small print: use :func:`figsize` for the width, and more rows rather
than more columns of panels.
"""

from __future__ import annotations

import math

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

DPI = 100  # pixels per inch of the stored PNGs
COLUMN_PX = 780  # width of the book's text column at a 1400 px window (code and output blocks)
COLUMN_WIDTH = COLUMN_PX / DPI  # inches: a figure this wide is shown at its natural size

# Font sizes in points: at 100 dpi, 11 pt is 15 px, above the book's 14 px small print.
BOOK_STYLE = {
    "figure.dpi": DPI,
    "figure.figsize": (COLUMN_WIDTH, 0.5 * COLUMN_WIDTH),
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 11,
    "legend.title_fontsize": 11,
    "legend.framealpha": 0.85,  # a legend over data lets the data show through
    "figure.titlesize": 13,
}


def use_book_style() -> None:
    """Apply :data:`BOOK_STYLE` to matplotlib's defaults (done once on import)."""
    mpl.rcParams.update(BOOK_STYLE)


def figsize(aspect: float = 0.5, width: float = 1.0) -> tuple[float, float]:
    """A figure size in inches: ``width`` of the book's column, height = ``aspect`` x width."""
    if not (0 < width <= 1.1) or not (0 < aspect <= 3):
        raise ValueError(
            f"width must be in (0, 1.1] of the column and aspect in (0, 3], got {width}, {aspect}"
        )
    inches = width * COLUMN_WIDTH
    return (inches, aspect * inches)


use_book_style()


def loss_curve(ax, values, label: str | None = None, *, x=None, smooth: int = 1, **kwargs):
    """Plot a loss against steps (or ``x``), optionally as a moving average of ``smooth`` points."""
    values = np.asarray(values, dtype=float)
    x = np.arange(1, len(values) + 1) if x is None else np.asarray(x)
    if smooth > 1 and len(values) >= smooth:
        kernel = np.ones(smooth) / smooth
        values = np.convolve(values, kernel, mode="valid")
        x = x[smooth - 1 :]
    ax.plot(x, values, label=label, **kwargs)
    return ax


def add_bits_axis(ax):
    """A right-hand y axis in bits per character next to a loss axis in nats (1 nat = 1/ln 2 bits)."""
    secondary = ax.secondary_yaxis("right", functions=(lambda n: n / math.log(2), lambda b: b * math.log(2)))
    secondary.set_ylabel("bits per character")
    return secondary


def uniform_baseline(ax, vocab_size: int, label_prefix: str = "uniform guess"):
    """A horizontal line at ln(vocab_size): the loss of predicting every character equally."""
    level = math.log(vocab_size)
    ax.axhline(level, color="grey", linestyle="--", linewidth=1)
    ax.annotate(
        f"{label_prefix}: ln {vocab_size} = {level:.2f} nats",
        (0.99, level),
        xycoords=("axes fraction", "data"),
        ha="right",
        va="bottom",
        color="grey",
    )
    return level


def box(ax, xy, text: str, width: float = 0.8, height: float = 0.6, color: str = "#dbe9f6", **kwargs):
    """A labelled rounded box centred at ``xy`` (for diagrams drawn by code)."""
    from matplotlib.patches import FancyBboxPatch

    x, y = xy
    ax.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - height / 2),
            width,
            height,
            boxstyle="round,pad=0.02,rounding_size=0.08",
            facecolor=color,
            edgecolor="#333333",
            linewidth=1,
        )
    )
    ax.text(x, y, text, ha="center", va="center", **kwargs)


def arrow(ax, start, end, color: str = "#333333", **kwargs):
    """An arrow from ``start`` to ``end`` (data coordinates)."""
    ax.annotate(
        "", xy=end, xytext=start, arrowprops=dict(arrowstyle="->", color=color, linewidth=1.2, **kwargs)
    )


def diagram_axes(width: float, height: float, figsize=None):
    """A figure with one blank axes whose data units span ``width`` x ``height``."""
    fig, ax = plt.subplots(figsize=figsize or (width, height))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig, ax
