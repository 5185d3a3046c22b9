"""Character windows and next-character targets, as strided views of one array of ids.

A character model trains on windows of a text: ``length`` consecutive ids as the input
and the ``length`` ids one position later as the targets. Every stride-1 window of a
1.1-million-character corpus copied out would take ``length`` times the corpus (and one-hot
encoded, tens of GB); :func:`sliding_windows` returns them as a read-only *view* of the ids
(:func:`numpy.lib.stride_tricks.sliding_window_view`), which costs no memory until a batch
of them is copied out with ``windows[indices]``.

Everything here is NumPy only; :mod:`rnnbook.charmodels` turns batches into model inputs.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from rnnbook.validate import integer, numeric_array, positive_int


def check_ids(ids, name: str = "ids") -> np.ndarray:
    """``ids`` as a 1-D integer NumPy array (not copied when it already is one)."""
    array = numeric_array(name, ids)
    if array.ndim != 1 or not np.issubdtype(array.dtype, np.integer):
        raise ValueError(
            f"{name} must be a 1-D array of integer character ids, "
            f"got shape {array.shape} and dtype {array.dtype}"
        )
    return array


def count_windows(n_ids: int, length: int, stride: int = 1) -> int:
    """How many windows of ``length`` ids start every ``stride`` ids in ``n_ids`` ids (0 if none fit)."""
    n_ids = integer("n_ids", n_ids)
    length = positive_int("length", length)
    stride = positive_int("stride", stride)
    if n_ids < 0:
        raise ValueError(f"n_ids must be zero or more, got {n_ids}")
    return 0 if n_ids < length else (n_ids - length) // stride + 1


def sliding_windows(ids, length: int, stride: int = 1) -> np.ndarray:
    """Every window of ``length`` consecutive ids, one every ``stride`` ids: shape ``(n, length)``.

    A read-only view of ``ids`` (``np.shares_memory(windows, ids)`` is True): nothing is copied.
    """
    ids = check_ids(ids)
    length = positive_int("length", length)
    stride = positive_int("stride", stride)
    if len(ids) < length:
        raise ValueError(f"windows of length {length} need at least {length} ids, got {len(ids)}")
    return sliding_window_view(ids, length)[::stride]


def next_char_windows(ids, length: int, stride: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """``(inputs, targets)``, both ``(n, length)`` views of ``ids``: targets are inputs shifted by one.

    ``targets[i, t]`` is the character that follows ``inputs[i, t]`` in the text, so a model
    with one output per step learns to predict the next character at every position. The
    last id of the text is never an input, the first never a target.
    """
    ids = check_ids(ids)
    length = positive_int("length", length)
    if len(ids) < length + 1:
        raise ValueError(
            f"a window of {length} inputs and its next-character targets needs at least "
            f"{length + 1} ids, got {len(ids)}"
        )
    return sliding_windows(ids[:-1], length, stride), sliding_windows(ids[1:], length, stride)


def last_char_targets(ids, length: int, stride: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """``(inputs, targets)`` for one prediction per window: inputs ``(n, length)``, targets ``(n,)``.

    ``targets[i]`` is the character right after window ``i`` (a many-to-one task).
    """
    inputs, shifted = next_char_windows(ids, length, stride)
    return inputs, shifted[:, -1]


def split_ids(ids, validation_fraction: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """``(train, validation)`` views: validation is the contiguous *last* fraction of ``ids``.

    Holding out the end (not random windows) keeps every validation character out of the
    training windows: stride-1 windows overlap, so a random split would leak.
    """
    ids = check_ids(ids)
    if not 0 < validation_fraction < 1:
        raise ValueError(
            f"validation_fraction must be between 0 and 1 (exclusive), got {validation_fraction!r}"
        )
    cut = int(round(len(ids) * (1 - validation_fraction)))
    if cut == 0 or cut == len(ids):
        raise ValueError(f"{len(ids)} ids are too few to hold out {validation_fraction:.0%} for validation")
    return ids[:cut], ids[cut:]


def one_hot_bytes(n_windows: int, length: int, vocab_size: int, itemsize: int = 4) -> int:
    """Bytes taken by ``n_windows`` one-hot windows: ``n_windows * length * vocab_size * itemsize``."""
    if isinstance(n_windows, bool) or not isinstance(n_windows, int | np.integer) or n_windows < 0:
        raise ValueError(f"n_windows must be an integer >= 0, got {n_windows!r}")
    length = positive_int("length", length)
    vocab_size = positive_int("vocab_size", vocab_size)
    itemsize = positive_int("itemsize", itemsize)
    return int(n_windows) * length * vocab_size * itemsize


__all__ = [
    "check_ids",
    "count_windows",
    "last_char_targets",
    "next_char_windows",
    "one_hot_bytes",
    "sliding_windows",
    "split_ids",
]
