"""Checkers for chapter 10 (forecasting, classification and transfer). NumPy only."""

from __future__ import annotations

import numpy as np

from rnnbook.checks import CheckFailed, checker, expect_close, expect_shape, passed
from rnnbook.vocab import CharVocab


@checker("a function seasonal_naive(x, period) returning an array of shape (n,)")
def check_seasonal_naive(seasonal_naive) -> None:
    """``seasonal_naive(x, period)``: for windows ``x`` (n, window), the value one period before
    each target, i.e. ``x[:, -period]``; a period longer than the window raises ValueError."""
    x = np.arange(20.0).reshape(2, 10) + np.array([[0.0], [100.0]])  # values name their position
    for period in (1, 4, 10):
        got = seasonal_naive(x, period)
        expected = x[:, -period]
        got = expect_shape(f"seasonal_naive(x, {period})", got, expected.shape)
        if not np.allclose(got, expected):
            position = [int(v) % 100 for v in np.ravel(got)[:1]]
            hint = (
                f"it returned x[:, {position[0]}] for the first window; the target comes right "
                f"after the window, so {period} step(s) before it is x[:, -{period}]"
            )
            raise CheckFailed(
                f"seasonal_naive(x, {period}) with windows of 10 values: got "
                f"{np.ravel(got).tolist()}, expected {expected.tolist()} ({hint})"
            )
    try:
        seasonal_naive.raw(x, 11)  # unwrapped: this call is meant to raise
    except ValueError:
        pass
    else:
        raise CheckFailed(
            "seasonal_naive(x, 11) with windows of 10 values must raise ValueError: "
            "the window does not reach one period back"
        )
    passed("the seasonal naive forecast picks the value one period before each target.")


@checker("a function pad_with_mask(sequences, length) returning a pair (ids, mask) of arrays")
def check_pad_with_mask(pad_with_mask) -> None:
    """``pad_with_mask(sequences, length)`` -> ``(ids, mask)``: ids post-padded with 0 to
    ``length`` (int), and a boolean mask that is True exactly at the real tokens."""
    sequences = [[4, 2, 7], [5], [3, 3, 1, 8]]
    result = pad_with_mask(sequences, 5)
    if not isinstance(result, tuple) or len(result) != 2:
        raise CheckFailed(f"pad_with_mask must return a pair (ids, mask), got {type(result).__name__}")
    ids, mask = result
    expected_ids = np.array([[4, 2, 7, 0, 0], [5, 0, 0, 0, 0], [3, 3, 1, 8, 0]])
    ids = expect_shape("ids", ids, expected_ids.shape)
    if np.array_equal(ids, np.array([[0, 0, 4, 2, 7], [0, 0, 0, 0, 5], [0, 3, 3, 1, 8]])):
        raise CheckFailed(
            "ids are padded at the front ('pre'); pad after the tokens ('post'), as the chapter does"
        )
    if not np.issubdtype(ids.dtype, np.integer):
        raise CheckFailed(f"ids must be integers (an Embedding reads ids), got dtype {ids.dtype}")
    expect_close("ids", ids, expected_ids)
    mask = expect_shape("mask", mask, expected_ids.shape)
    if mask.dtype != bool:
        raise CheckFailed(f"mask must be boolean (True = a real token), got dtype {mask.dtype}")
    if np.array_equal(mask, expected_ids == 0):
        raise CheckFailed("mask is inverted: it must be True at the real tokens and False at padding")
    if not np.array_equal(mask, expected_ids != 0):
        raise CheckFailed(
            f"mask is wrong: got {mask.astype(int).tolist()}, expected "
            f"{(expected_ids != 0).astype(int).tolist()}"
        )
    passed("ids are post-padded with 0 and the mask marks the real tokens (what mask_zero=True computes).")


@checker("a function init_new_rows(table, old_vocab, new_chars, similar) returning the extended table")
def check_init_from_similar(init_new_rows) -> None:
    """``init_new_rows(table, old_vocab, new_chars, similar)`` -> the extended embedding table:
    old rows kept, a new character ``c`` gets the row of ``similar[c]`` when it is given,
    else the mean of the old rows."""
    old_vocab = CharVocab("ab'\"")
    table = np.arange(8, dtype=np.float32).reshape(4, 2) ** 2
    new_chars = ["’", "“", "_"]
    similar = {"’": "'", "“": '"'}
    got = init_new_rows(table.copy(), old_vocab, new_chars, similar)
    got = expect_shape("the extended table", got, (7, 2))
    if not np.allclose(got[:4], table):
        raise CheckFailed("the old rows changed: rows 0..3 must be the old table as it was")
    for row, char in enumerate(new_chars, start=4):
        if char in similar:
            expected, source = table[old_vocab.index[similar[char]]], f"the row of {similar[char]!r}"
        else:
            expected, source = table.mean(axis=0), "the mean of the old rows (no similar character)"
        if not np.allclose(got[row], expected):
            raise CheckFailed(
                f"row {row} ({char!r}) is {got[row].tolist()}, expected {expected.tolist()}: {source}"
            )
    passed("old rows kept; new characters start from a similar character or the mean row.")
