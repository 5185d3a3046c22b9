"""Checkers for chapter 7 (character models: one-hot versus embedding). NumPy only."""

from __future__ import annotations

import numpy as np

from rnnbook.checks import CheckFailed, checker, expect_close, expect_shape, passed


def _returned(name: str, value):
    if value is None:
        raise CheckFailed(f"{name} returned None: did the function forget to `return`?")
    return value


@checker("a function next_char_windows(ids, length) returning a pair (inputs, targets) of arrays")
def check_next_char_windows(next_char_windows) -> None:
    """``next_char_windows(ids, length)`` -> ``(inputs, targets)``: views, targets shifted by one."""
    ids = np.arange(100, 112, dtype=np.int32)  # ids that show where each value came from
    length = 4
    n = len(ids) - length  # the last window still needs a next character
    expected_x = ids[np.arange(n)[:, None] + np.arange(length)]
    expected_y = expected_x + 1
    result = _returned("next_char_windows", next_char_windows(ids, length))
    if not isinstance(result, tuple) or len(result) != 2:
        raise CheckFailed(
            f"next_char_windows must return a pair (inputs, targets), got {type(result).__name__}"
        )
    x, y = (np.asarray(_returned("inputs" if i == 0 else "targets", part)) for i, part in enumerate(result))
    if x.shape == (n + 1, length):
        raise CheckFailed(
            f"inputs has shape {x.shape}, expected {(n, length)}: one window too many; the last "
            f"window of the text has no next character to predict"
        )
    expect_shape("inputs", x, (n, length))
    expect_shape("targets", y, (n, length))
    expect_close("inputs", x, expected_x)
    shifts = np.unique(y - x)  # the test ids count up by one, so a target - input is its shift
    if np.array_equal(y, x):
        raise CheckFailed("targets equal the inputs: they must be the inputs shifted by one character")
    if len(shifts) == 1 and shifts[0] != 1:
        raise CheckFailed(f"targets are the inputs shifted by {shifts[0]} characters, expected 1")
    expect_close("targets", y, expected_y)
    for name, part in (("inputs", result[0]), ("targets", result[1])):
        if not np.shares_memory(np.asarray(part), ids):
            raise CheckFailed(
                f"{name} has the right values but is a copy (np.shares_memory({name}, ids) is False); "
                f"make it a view with np.lib.stride_tricks.sliding_window_view"
            )
    passed(f"{len(ids)} ids, length {length}: {n} windows, targets shifted by one, both views.")


def expected_one_hot_bytes(n_chars: int, length: int, vocab_size: int, itemsize: int) -> int:
    """Bytes of every stride-1 window of ``length`` characters of a text, one-hot encoded."""
    return (n_chars - length + 1) * length * vocab_size * itemsize


def _one_hot_hint(got: int, n_chars: int, length: int, vocab_size: int, itemsize: int) -> str:
    windows = n_chars - length + 1
    guesses = {
        n_chars * length * vocab_size * itemsize: "you counted n_chars windows; a text of n_chars has "
        "n_chars - length + 1 windows of that length",
        (n_chars - length) * length * vocab_size * itemsize: "you counted n_chars - length windows; "
        "the window that ends on the last character counts too (n_chars - length + 1)",
        windows * length * vocab_size: "you left out the bytes per number (itemsize)",
        windows * length * vocab_size * itemsize * 8: "that is bits, not bytes",
        windows * length * itemsize: "you left out the one-hot axis (vocab_size numbers per character)",
        n_chars * vocab_size * itemsize: "that is the one-hot corpus, not every window of it",
    }
    return guesses.get(got, "")


@checker("a function one_hot_bytes(n_chars, length, vocab_size, itemsize) returning an int")
def check_one_hot_bytes(one_hot_bytes) -> None:
    """``one_hot_bytes(n_chars, length, vocab_size, itemsize)``: bytes of all stride-1 one-hot windows."""
    cases = [(1_115_394, 100, 65, 4), (1000, 10, 30, 4), (500, 50, 20, 2), (12, 12, 5, 8)]
    for n_chars, length, vocab_size, itemsize in cases:
        got = _returned("one_hot_bytes", one_hot_bytes(n_chars, length, vocab_size, itemsize))
        expected = expected_one_hot_bytes(n_chars, length, vocab_size, itemsize)
        if got != expected:
            ratio = got / expected
            off = f"{ratio:.3g} times the right value" if not 0.5 < ratio < 2 else f"{ratio - 1:+.4%}"
            hint = _one_hot_hint(got, n_chars, length, vocab_size, itemsize)
            raise CheckFailed(
                f"one_hot_bytes({n_chars}, {length}, {vocab_size}, {itemsize}) = {got:,}, expected "
                f"{expected:,} (off by {got - expected:+,} bytes, {off})" + (f": {hint}" if hint else "")
            )
    n_chars, length, vocab_size, itemsize = cases[0]
    total = expected_one_hot_bytes(n_chars, length, vocab_size, itemsize)
    passed(f"{len(cases)} cases; tiny Shakespeare's stride-1 windows of 100 would take {total / 1e9:.1f} GB.")


def _tempered(logits: np.ndarray, temperature: float) -> np.ndarray:
    scaled = logits / temperature
    weights = np.exp(scaled - scaled.max(axis=-1, keepdims=True))
    return weights / weights.sum(axis=-1, keepdims=True)


@checker(
    "a function temperature_probabilities(logits, temperature) returning probabilities shaped like logits"
)
def check_temperature_probabilities(temperature_probabilities) -> None:
    """``temperature_probabilities(logits, temperature)`` = softmax(logits / temperature), stable."""
    logits = np.array([2.0, 1.0, 0.0, -1.0])
    for temperature in (1.0, 0.5, 2.0):
        got = _returned("temperature_probabilities", temperature_probabilities(logits, temperature))
        got = expect_shape(f"probabilities at temperature {temperature}", got, logits.shape)
        if np.all(np.isfinite(got)) and not np.isclose(got.sum(), 1.0):
            raise CheckFailed(
                f"at temperature {temperature} the probabilities sum to {got.sum():.6g}, expected 1: "
                f"divide by their sum"
            )
        if temperature != 1.0 and np.allclose(got, _tempered(logits, 1 / temperature)):
            raise CheckFailed(
                f"at temperature {temperature} you multiplied the logits by the temperature; divide "
                f"them by it (a low temperature must sharpen the distribution)"
            )
        expect_close(f"probabilities at temperature {temperature}", got, _tempered(logits, temperature))
    large = np.array([1000.0, 999.0, 990.0])
    got = np.asarray(temperature_probabilities(large, 1.0), dtype=float)
    if not np.all(np.isfinite(got)):
        raise CheckFailed(
            "logits [1000, 999, 990] give NaN or infinity: exp(1000) overflows; subtract the "
            "largest logit before taking exp (it does not change the softmax)"
        )
    expect_close("probabilities for logits [1000, 999, 990]", got, _tempered(large, 1.0))
    passed("softmax(logits / T) at T = 0.5, 1 and 2, and no overflow for large logits.")


__all__ = [
    "check_next_char_windows",
    "check_one_hot_bytes",
    "check_temperature_probabilities",
    "expected_one_hot_bytes",
]
