"""A synthetic many-to-many tagging task where the answer lies in the future (chapter 9).

Each sequence is ``seq_len`` symbols drawn uniformly from ``n_symbols``; one of them,
``marker``, plays the role of a keyword. The tag of position ``t`` is 1 when the marker
occurs at some later position ``s > t`` and 0 otherwise. A bidirectional model reads the
rest of the sequence and can tag every position exactly; a unidirectional one has only
seen the past, which says nothing about the (independent) future symbols, so the best it
can do at position ``t`` is to guess the more likely tag: :func:`causal_ceiling`.
"""

from __future__ import annotations

import numpy as np

from rnnbook.validate import generator, numeric_array, positive_int


def _check_sizes(seq_len, n_symbols) -> tuple[int, int]:
    seq_len = positive_int("seq_len", seq_len)
    n_symbols = positive_int("n_symbols", n_symbols)
    if n_symbols < 2:
        raise ValueError(f"n_symbols must be at least 2 (the marker and one other), got {n_symbols}")
    return seq_len, n_symbols


def later_marker_tags(ids, marker: int = 0) -> np.ndarray:
    """Tags for ``ids`` of shape ``(n, seq_len)``: 1 where ``marker`` occurs strictly later.

    Computed right to left: a running "seen the marker" flag, shifted by one position.
    """
    ids = numeric_array("ids", ids)
    if ids.ndim != 2 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(
            f"ids must be a 2-D integer array (sequences, positions), got shape {ids.shape} dtype {ids.dtype}"
        )
    is_marker = ids == marker
    # seen_from[:, t] is True when the marker occurs at t or after it.
    seen_from = np.flip(np.logical_or.accumulate(np.flip(is_marker, axis=1), axis=1), axis=1)
    tags = np.zeros(ids.shape, dtype=np.int32)
    tags[:, :-1] = seen_from[:, 1:]
    return tags


def make_tagging_data(n: int, seq_len: int, n_symbols: int, rng: np.random.Generator, marker: int = 0):
    """``(ids, tags)``, both ``(n, seq_len)`` int32: random symbols and their later-marker tags."""
    n = positive_int("n", n)
    rng = generator("rng", rng)
    seq_len, n_symbols = _check_sizes(seq_len, n_symbols)
    if not 0 <= marker < n_symbols:
        raise ValueError(f"marker must be a symbol id in [0, {n_symbols}), got {marker!r}")
    ids = rng.integers(0, n_symbols, size=(n, seq_len)).astype(np.int32)
    return ids, later_marker_tags(ids, marker)


def later_marker_probability(seq_len: int, n_symbols: int) -> np.ndarray:
    """``P(tag_t = 1)`` per position: ``1 - (1 - 1/n_symbols) ** (seq_len - 1 - t)``."""
    seq_len, n_symbols = _check_sizes(seq_len, n_symbols)
    positions_after = seq_len - 1 - np.arange(seq_len)
    return 1.0 - (1.0 - 1.0 / n_symbols) ** positions_after


def causal_ceiling(seq_len: int, n_symbols: int) -> np.ndarray:
    """The best expected accuracy per position of any tagger that sees only positions ``<= t``.

    The future symbols are independent of the past, so the past does not help: the best
    guess is the more likely tag, right with probability ``max(q_t, 1 - q_t)``.
    """
    q = later_marker_probability(seq_len, n_symbols)
    return np.maximum(q, 1.0 - q)


__all__ = ["causal_ceiling", "later_marker_probability", "later_marker_tags", "make_tagging_data"]
