"""Synthetic sequence tasks for the Keras chapters."""

from __future__ import annotations

import numpy as np

from rnnbook.validate import generator
from rnnbook.validate import positive_int as _positive_int


def adding_problem(n: int, seq_len: int, rng: np.random.Generator):
    """The adding problem, in the two-channel form of Le, Jaitly & Hinton (2015) and
    Arjovsky, Shah & Bengio (2016), a common variant of Hochreiter & Schmidhuber's (1997).

    Each input step has two features: a random value in [0, 1) and a marker that is 1
    at exactly two positions, one in each half of the sequence, and 0 elsewhere. The
    target is the sum of the two marked values, so the model must remember the first
    marked value for about ``seq_len / 2`` steps. Predicting the constant 1.0 gives an
    MSE of about 1/6 = 0.167: the baseline to beat.

    Returns ``x`` of shape ``(n, seq_len, 2)`` (float32) and ``y`` of shape ``(n, 1)``.
    """
    n = _positive_int("n", n)
    rng = generator("rng", rng)
    seq_len = _positive_int("seq_len", seq_len)
    if seq_len < 2:
        raise ValueError(f"seq_len must be at least 2 (two marked positions), got {seq_len}")
    values = rng.random((n, seq_len)).astype(np.float32)
    half = seq_len // 2
    first = rng.integers(0, half, size=n)
    second = rng.integers(half, seq_len, size=n)
    markers = np.zeros((n, seq_len), dtype=np.float32)
    rows = np.arange(n)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    x = np.stack([values, markers], axis=-1)
    y = (values[rows, first] + values[rows, second])[:, None]
    return x, y
