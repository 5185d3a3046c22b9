"""What single units of a character LSTM track: features of the text, correlations, coloured text.

After Karpathy, Johnson and Fei-Fei (2015), "Visualizing and Understanding Recurrent
Networks": run the trained LSTM over a passage, keep each unit's cell state at every
character, and look for units whose value follows a simple property of the text (the
position in the line, being inside a speaker's name). This module is NumPy only:

* :func:`text_features` computes such properties for every character of a text;
* :func:`correlations` and :func:`best_units` measure how well each unit follows each
  feature (Pearson correlation over the passage);
* :func:`colored_html` shows a passage with each character's background coloured by a
  unit's value, as in the paper's figures.

The states and gates come from :func:`lstm_replay`: given the hidden states a Keras LSTM
returned (``return_sequences=True``), it recomputes every gate and cell state with the
layer's weights (gate order i, f, c, o, as in :mod:`rnnbook.gates`) in a few large
matrix products, instead of a Python loop of matrix products per step.
"""

from __future__ import annotations

import html
import re

import numpy as np

from rnnbook import gates, validate

__all__ = ["FEATURES", "text_features", "lstm_replay", "correlations", "best_units", "colored_html"]

# name -> what it is, for the printouts
FEATURES = {
    "line position": "characters since the last newline",
    "speaker name": "1 inside a speaker heading (a line like 'KING RICHARD III:')",
    "after a colon": "1 from a speaker's colon to the end of the speech's first line",
    "word position": "letters since the last non-letter",
}

_HEADING = re.compile(r"^[A-Z][A-Za-z' ]*:$")


def text_features(text: str) -> dict[str, np.ndarray]:
    """The :data:`FEATURES` of every character of ``text``: a dict of float64 arrays (len(text),).

    Each value describes the text up to and including that character (what the model has
    read when its state is taken there): "line position" counts the characters of the
    current line read so far (0 at a newline: a new line has begun, 1 at a line's first
    character), "word position" the letters of the current word. A speaker heading is a
    line that matches ``^[A-Z][A-Za-z' ]*:$`` (a capital, letters, spaces or apostrophes, a
    final colon) and opens the text or follows a blank line (so a verse line that ends in a
    colon is none); its characters, newline excluded, are "speaker name"; "after a colon"
    covers the heading's newline and the whole next line, through its newline. Raises
    :class:`rnnbook.validate.ArgumentTypeError` if ``text`` is not a string and
    ValueError if it is empty.
    """
    if not isinstance(text, str):
        raise validate.ArgumentTypeError(f"text must be a string, got {type(text).__name__}")
    if not text:
        raise ValueError("text must be a non-empty string, got ''")
    n = len(text)
    line_pos = np.zeros(n)
    word_pos = np.zeros(n)
    speaker = np.zeros(n)
    after = np.zeros(n)
    column = word = 0
    for t, ch in enumerate(text):
        column = 0 if ch == "\n" else column + 1
        line_pos[t] = column
        word = word + 1 if ch.isalpha() else 0
        word_pos[t] = word
    start = 0
    lines = text.split("\n")
    heading_before = False
    previous = ""  # the text opens as if after a blank line
    for line in lines:
        end = start + len(line)  # index of this line's newline (or n at the end)
        stop = min(end + 1, n)
        if heading_before:
            after[start:stop] = 1.0
        heading_before = previous == "" and bool(_HEADING.match(line))
        previous = line
        if heading_before:
            speaker[start:end] = 1.0
            if end < n:
                after[end] = 1.0  # the heading's newline: the colon has been read
        start = end + 1
    return {
        "line position": line_pos,
        "speaker name": speaker,
        "after a colon": after,
        "word position": word_pos,
    }


def lstm_replay(xs, h, weights) -> dict[str, np.ndarray]:
    """Gates and cell states of an LSTM along one sequence, from its hidden states.

    ``xs`` is the layer's input ``(T, n_in)`` (one sequence, no batch axis), ``h`` the
    hidden states it returned at every step ``(T, H)``, from a zero initial state, and
    ``weights`` the layer's ``[kernel, recurrent_kernel, bias]`` (Keras order i, f, c, o).
    Since ``h_{t-1}`` is known for every step, all pre-activations come from two matrix
    products; only the cell state's recursion ``c_t = f_t c_{t-1} + i_t g_t`` runs step
    by step, elementwise. Returns a dict of ``(T, H)`` float arrays: ``"input"``,
    ``"forget"``, ``"candidate"``, ``"output"``, ``"c"`` and ``"h"`` (recomputed as
    ``o_t tanh(c_t)``: it equals the given ``h`` up to rounding when the inputs belong
    together, a check worth making). Same results as :func:`rnnbook.gates.lstm_forward`.
    Raises ValueError on shapes that do not fit the weights.
    """
    units = gates.lstm_units(weights)
    kernel, recurrent_kernel, bias = (np.asarray(w) for w in weights)
    xs = validate.finite_array("xs", xs, ndim=2, dtype=kernel.dtype)
    h = validate.finite_array("h", h, ndim=2, dtype=kernel.dtype)
    if xs.shape[1] != kernel.shape[0]:
        raise ValueError(f"xs must have shape (T, {kernel.shape[0]}), got {xs.shape}")
    if h.shape != (xs.shape[0], units):
        raise ValueError(f"h must have shape (T, H) = ({xs.shape[0]}, {units}), got {h.shape}")
    h_before = np.vstack([np.zeros((1, units), h.dtype), h[:-1]])  # h_{t-1}, zero at t = 0
    z = xs @ kernel + h_before @ recurrent_kernel + bias  # (T, 4H)
    zi, zf, zc, zo = np.split(z, 4, axis=-1)
    out = {
        "input": gates.sigmoid(zi),
        "forget": gates.sigmoid(zf),
        "candidate": np.tanh(zc),
        "output": gates.sigmoid(zo),
    }
    c = np.empty_like(zi)
    state = np.zeros(units, dtype=zi.dtype)
    written = out["input"] * out["candidate"]
    for t in range(len(c)):
        state = out["forget"][t] * state + written[t]
        c[t] = state
    out["c"] = c
    out["h"] = out["output"] * np.tanh(c)
    return out


def correlations(states, features: dict[str, np.ndarray]) -> tuple[list[str], np.ndarray]:
    """Pearson correlation of every unit with every feature.

    ``states`` is ``(T, H)`` (one row per character: cell states, ``tanh(c)`` or hidden
    states) and ``features`` maps names to ``(T,)`` arrays. Returns the feature names
    and a ``(F, H)`` float64 array; a constant unit or a constant feature has
    correlation 0 (nothing to follow). Raises ValueError on mismatched lengths, a
    non-finite value, or fewer than two time steps.
    """
    states = validate.finite_array("states", states, ndim=2)
    if states.shape[0] < 2:
        raise ValueError(f"states must have at least 2 time steps (rows), got shape {states.shape}")
    if not isinstance(features, dict) or not features:
        raise ValueError(f"features must be a non-empty dict of name -> (T,) array, got {features!r}")
    names = list(features)
    rows = []
    for name in names:
        f = validate.finite_array(f"features[{name!r}]", features[name], ndim=1)
        if f.shape[0] != states.shape[0]:
            raise ValueError(
                f"features[{name!r}] has {f.shape[0]} values but states has {states.shape[0]} time steps"
            )
        rows.append(f)
    feats = np.stack(rows)  # (F, T)
    fc = feats - feats.mean(axis=1, keepdims=True)
    sc = states - states.mean(axis=0, keepdims=True)
    num = fc @ sc  # (F, H)
    den = np.sqrt((fc**2).sum(axis=1))[:, None] * np.sqrt((sc**2).sum(axis=0))[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
    return names, np.clip(corr, -1.0, 1.0)


def best_units(names: list[str], corr, distinct: bool = True) -> list[tuple[str, int, float]]:
    """For each feature, the unit with the largest |correlation|: ``[(name, unit, r), ...]``.

    ``corr`` is the ``(F, H)`` array of :func:`correlations`. With ``distinct`` each
    feature gets a unit no earlier feature took (the next best), so that every feature
    is shown with its own unit. ``r`` keeps its sign: a negative ``r`` is a unit that
    falls as the feature rises. Raises ValueError if the shapes disagree or there are
    more features than units with ``distinct``.
    """
    corr = validate.finite_array("corr", corr, ndim=2)
    if len(names) != corr.shape[0]:
        raise ValueError(f"names has {len(names)} entries but corr has {corr.shape[0]} rows")
    if distinct and corr.shape[0] > corr.shape[1]:
        raise ValueError(
            f"distinct=True needs at least as many units as features, got corr of shape {corr.shape}"
        )
    taken: set[int] = set()
    chosen = []
    for name, row in zip(names, corr, strict=True):
        for unit in np.argsort(-np.abs(row), kind="stable"):
            if not distinct or int(unit) not in taken:
                break
        taken.add(int(unit))
        chosen.append((name, int(unit), float(row[unit])))
    return chosen


def _color(value: float) -> str:
    """A colour for a value in [-1, 1]: blue for negative, white for 0, red for positive."""
    v = float(np.clip(value, -1.0, 1.0))
    fade = int(round(255 * (1 - abs(v))))
    return f"rgb(255,{fade},{fade})" if v >= 0 else f"rgb({fade},{fade},255)"


def colored_html(text: str, values, title: str = "", width: int = 80) -> str:
    """``text`` as HTML, each character's background coloured by ``values`` (in [-1, 1]).

    Blue is -1, white 0, red +1 (values outside are clipped), as in Karpathy et al.
    (2015). Lines longer than ``width`` characters are cut into several, so that the
    block fits the page (monospace, 13 px: 80 characters are about 640 px wide). A
    newline is shown as a coloured ``⏎`` so that its value is visible. Raises ValueError
    if ``values`` does not have one finite value per character.
    """
    if not isinstance(text, str) or not text:
        raise ValueError(f"text must be a non-empty string, got {text!r}")
    values = validate.finite_array("values", values, ndim=1)
    if values.shape[0] != len(text):
        raise ValueError(f"values must have one value per character: {len(text)}, got {values.shape[0]}")
    width = validate.positive_int("width", width)
    pieces, column = [], 0
    for ch, v in zip(text, values, strict=True):
        shown = "⏎" if ch == "\n" else html.escape(ch)
        if column == width:
            pieces.append("<br>")
            column = 0
        pieces.append(f'<span style="background:{_color(v)}">{shown}</span>')
        column += 1
        if ch == "\n":
            pieces.append("<br>")
            column = 0
    head = f"<div style='font-size:13px;margin:4px 0'>{html.escape(title)}</div>" if title else ""
    body = "".join(pieces)
    return (
        f"<div style='max-width:820px'>{head}<div style=\"font-family:monospace;font-size:13px;"
        f'line-height:1.35;color:black;white-space:pre">{body}</div></div>'
    )
