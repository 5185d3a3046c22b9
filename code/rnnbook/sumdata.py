"""The sum-of-a-sequence regression: a first many-to-one task (chapters 2 and 5).

Each input is a sequence of ``seq_len`` numbers drawn uniformly from [0, 1); the
target is their sum. Predicting the mean sum ``seq_len / 2`` for every sequence gives
an MSE of ``seq_len / 12`` (the variance of a sum of independent uniforms): the
baseline a model has to beat.
"""

from __future__ import annotations

import numpy as np

from rnnbook.validate import positive_int


def make_sum_data(n: int, seq_len: int, rng: np.random.Generator, dtype=np.float64):
    """``n`` sequences of ``seq_len`` uniform numbers in [0, 1) and their sums.

    Returns ``x`` of shape ``(n, seq_len, 1)`` (one feature per step, the shape
    recurrent layers expect) and ``y`` of shape ``(n, 1)``, both of ``dtype``
    (float64 for the NumPy chapters and gradient checks, float32 for Keras).
    """
    n = positive_int("n", n)
    seq_len = positive_int("seq_len", seq_len)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), got {type(rng).__name__}"
        )
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise ValueError(f"dtype must be a floating-point type such as float64 or float32, got {dtype}")
    x = rng.random((n, seq_len, 1)).astype(dtype)
    y = x.sum(axis=1)  # sums in the same dtype as x, so y == x.sum(axis=1) exactly
    return x, y


def mean_baseline_mse(seq_len: int) -> float:
    """The expected MSE of always predicting ``seq_len / 2``: the variance ``seq_len / 12``."""
    return positive_int("seq_len", seq_len) / 12.0
