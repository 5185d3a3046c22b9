"""Diagrams of recurrent networks, drawn by code (matplotlib): task shapes and unrolling in time.

Colours follow one key throughout the book: inputs red, hidden states green, outputs blue.
"""

from __future__ import annotations

import matplotlib.pyplot as plt

from rnnbook.plotting import arrow, box

INPUT_COLOR = "#f4cccc"
HIDDEN_COLOR = "#d9ead3"
OUTPUT_COLOR = "#cfe2f3"
START_COLOR = "#eeeeee"
# One colour per weight matrix in the unrolled picture: same colour, same matrix.
WEIGHT_COLORS = {"W_xh": "#b45f06", "W_hh": "#38761d", "W_hy": "#1c4587"}

# name -> (which steps have an input, which steps have an output, an example task)
TASK_SHAPES = {
    "one to one": ((1,), (1,), "image → class\n(no recurrence)"),
    "one to many": ((1, 0, 0), (1, 1, 1), "image → caption"),
    "many to one": ((1, 1, 1), (0, 0, 1), "review → sentiment,\nsequence → its sum"),
    "many to many\n(encoder-decoder)": ((1, 1, 1, 0, 0), (0, 0, 1, 1, 1), "translation"),
    "many to many\n(synced)": ((1, 1, 1), (1, 1, 1), "label every frame,\nnext-character model"),
}

_ROW_Y = {"input": 0.5, "hidden": 1.6, "output": 2.7}
_BOX = {"width": 0.7, "height": 0.55}
# Widest figure, in inches, that the book shows at a scale keeping its text legible
# (the HTML column is 780 px at 100 dpi; see rnnbook.plotting).
MAX_WIDTH = 8.2
_LABEL = {"fontsize": 14}  # box labels in the unrolled picture


def _blank(ax, width: float, height: float) -> None:
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_aspect("equal")
    ax.axis("off")


def _validate_mask(name: str, mask) -> tuple[int, ...]:
    mask = tuple(mask)
    if not mask or any(m not in (0, 1) for m in mask):
        raise ValueError(f"{name} must be a non-empty sequence of 0/1 flags, one per step, got {mask!r}")
    if not any(mask):
        raise ValueError(f"{name} must mark at least one step with 1, got {mask!r}")
    return mask


def draw_task_shape(ax, inputs, outputs, title: str = "") -> None:
    """Draw one task shape on ``ax``: a column per time step, input below, output above.

    ``inputs`` and ``outputs`` are 0/1 flags, one per step, saying where the sequence has an
    input and where it produces an output. A single step is a plain feed-forward network.
    """
    inputs = _validate_mask("inputs", inputs)
    outputs = _validate_mask("outputs", outputs)
    if len(inputs) != len(outputs):
        raise ValueError(
            f"inputs and outputs need one flag per step each; got {len(inputs)} "
            f"input flags and {len(outputs)} output flags"
        )
    _blank(ax, len(inputs), 3.2)
    for step, (has_in, has_out) in enumerate(zip(inputs, outputs, strict=True)):
        x = step + 0.5
        color = HIDDEN_COLOR if len(inputs) > 1 else "#dddddd"
        box(ax, (x, _ROW_Y["hidden"]), "", color=color, **_BOX)
        if has_in:
            box(ax, (x, _ROW_Y["input"]), "", color=INPUT_COLOR, **_BOX)
            arrow(ax, (x, _ROW_Y["input"] + 0.28), (x, _ROW_Y["hidden"] - 0.28))
        if has_out:
            box(ax, (x, _ROW_Y["output"]), "", color=OUTPUT_COLOR, **_BOX)
            arrow(ax, (x, _ROW_Y["hidden"] + 0.28), (x, _ROW_Y["output"] - 0.28))
        if step > 0:
            arrow(ax, (x - 0.65, _ROW_Y["hidden"]), (x - 0.35, _ROW_Y["hidden"]))
    ax.set_title(title, fontsize=14)


def task_shapes_figure(names=None, per_row: int = 3):
    """All task shapes (or those in ``names``, keys of :data:`TASK_SHAPES`), ``per_row`` a row.

    Rows keep the figure within :data:`MAX_WIDTH`, so the book shows its text at full size.
    """
    names = list(TASK_SHAPES) if names is None else list(names)
    unknown = [n for n in names if n not in TASK_SHAPES]
    if unknown or not names:
        raise ValueError(f"unknown task shape(s) {unknown or names!r}; known: {list(TASK_SHAPES)}")
    rows = [names[i : i + per_row] for i in range(0, len(names), per_row)]
    unit, gap, row_height, axes_height = 0.75, 0.55, 2.9, 1.6  # inches
    height = 0.15 + row_height * len(rows) + 0.7
    fig = plt.figure(figsize=(MAX_WIDTH, height))
    for r, row in enumerate(rows):
        widths = [max(len(TASK_SHAPES[n][0]), 2) for n in row]
        left = (MAX_WIDTH - unit * sum(widths) - gap * (len(row) - 1)) / 2
        bottom = height - 0.15 - row_height * r - 0.65 - axes_height
        for name, width in zip(row, widths, strict=True):
            ax = fig.add_axes(
                [left / MAX_WIDTH, bottom / height, unit * width / MAX_WIDTH, axes_height / height]
            )
            inputs, outputs, example = TASK_SHAPES[name]
            draw_task_shape(ax, inputs, outputs, title=name)
            pad = (width - len(inputs)) / 2
            ax.set_xlim(-pad, len(inputs) + pad)
            ax.text(len(inputs) / 2, -0.05, example, ha="center", va="top", fontsize=12, color="#444444")
            left += unit * width + gap
    fig.text(
        0.5,
        0.1 / height,
        "red: inputs    green: hidden state (the RNN)    blue: outputs\n"
        "horizontal arrows: the hidden state carried to the next step",
        ha="center",
        va="bottom",
        fontsize=12,
    )
    return fig


def _weight_arrow(ax, start, end, weight: str, offset=(0.08, 0.0), ha: str = "left") -> None:
    """An arrow in the colour of ``weight``, labelled with the matrix' name beside its middle."""
    arrow(ax, start, end, color=WEIGHT_COLORS[weight])
    mid = ((start[0] + end[0]) / 2 + offset[0], (start[1] + end[1]) / 2 + offset[1])
    ax.text(
        *mid, f"${weight[0]}_{{{weight[2:]}}}$", fontsize=12, color=WEIGHT_COLORS[weight], ha=ha, va="center"
    )


def unrolled_figure(n_steps: int = 4):
    """An RNN drawn folded (one cell with a loop) and unrolled over ``n_steps`` steps.

    Every arrow is coloured by the weight matrix it applies, so the picture shows the
    same three matrices reused at every step.
    """
    if isinstance(n_steps, bool) or int(n_steps) != n_steps or not 1 <= n_steps <= 8:
        raise ValueError(f"n_steps must be an integer from 1 to 8 (a readable picture), got {n_steps!r}")
    n_steps = int(n_steps)
    width = 3.8 + 1.6 * (n_steps + 1)
    fig, ax = plt.subplots(figsize=(min(width * 0.95, MAX_WIDTH), 3.6))
    _blank(ax, width, 3.3)
    hy, iy, oy = _ROW_Y["hidden"], _ROW_Y["input"], _ROW_Y["output"]

    # Folded: one cell whose state feeds back into itself.
    fx = 1.0
    box(ax, (fx, iy), "$x_t$", color=INPUT_COLOR, **_BOX, **_LABEL)
    box(ax, (fx, hy), "$h_t$", color=HIDDEN_COLOR, **_BOX, **_LABEL)
    box(ax, (fx, oy), "$y_t$", color=OUTPUT_COLOR, **_BOX, **_LABEL)
    _weight_arrow(ax, (fx, iy + 0.28), (fx, hy - 0.28), "W_xh", offset=(-0.08, 0), ha="right")
    _weight_arrow(ax, (fx, hy + 0.28), (fx, oy - 0.28), "W_hy", offset=(-0.08, 0), ha="right")
    ax.annotate(
        "",
        xy=(fx + 0.36, hy - 0.12),
        xytext=(fx + 0.36, hy + 0.12),
        arrowprops=dict(
            arrowstyle="->", color=WEIGHT_COLORS["W_hh"], linewidth=1.2, connectionstyle="arc3,rad=-2.2"
        ),
    )
    ax.text(fx + 0.72, hy, "$W_{hh}$", color=WEIGHT_COLORS["W_hh"], fontsize=12, va="center")
    ax.text(fx + 1.75, hy, "unroll\n=", ha="center", va="center", fontsize=15)
    ax.text(fx, 3.15, "folded", ha="center", fontsize=13)

    # Unrolled: h_0, then one column per step.
    x0 = 3.8
    box(ax, (x0, hy), "$h_0$", color=START_COLOR, **_BOX, **_LABEL)
    ax.text(x0, hy - 0.55, "start\nstate", ha="center", va="top", fontsize=11, color="#555555")
    for t in range(1, n_steps + 1):
        x = x0 + 1.6 * t
        box(ax, (x, iy), f"$x_{{{t}}}$", color=INPUT_COLOR, **_BOX, **_LABEL)
        box(ax, (x, hy), f"$h_{{{t}}}$", color=HIDDEN_COLOR, **_BOX, **_LABEL)
        box(ax, (x, oy), f"$y_{{{t}}}$", color=OUTPUT_COLOR, **_BOX, **_LABEL)
        _weight_arrow(ax, (x, iy + 0.28), (x, hy - 0.28), "W_xh")
        _weight_arrow(ax, (x, hy + 0.28), (x, oy - 0.28), "W_hy")
        _weight_arrow(ax, (x - 1.25, hy), (x - 0.35, hy), "W_hh", offset=(0, 0.15), ha="center")
    ax.text(
        x0 + 0.8 * (n_steps + 1),
        3.15,
        f"unrolled over {n_steps} steps: the same "
        "$W_{xh}$, $W_{hh}$, $W_{hy}$ (and biases) at every step",
        ha="center",
        fontsize=13,
    )
    fig.tight_layout()
    return fig
