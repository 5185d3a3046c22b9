"""Exercise checkers: immediate, specific feedback for students.

A checker prints one line starting with "Correct" when the answer is right, and
raises :class:`CheckFailed` (an AssertionError) saying exactly what is wrong when it
is not: which shape, which value, by how much. Each chapter's checkers live in
``rnnbook.checks.chNN``; the helpers below keep their messages consistent.
"""

from __future__ import annotations

import numpy as np


class CheckFailed(AssertionError):
    """The student's answer is wrong; the message says how."""


def passed(message: str) -> None:
    print(f"Correct! {message}")


def expect_shape(name: str, got, expected_shape: tuple) -> np.ndarray:
    """``got`` as an array, after checking that it has ``expected_shape``."""
    if got is None:
        raise CheckFailed(f"{name} is None: did the function forget to `return` it?")
    array = np.asarray(got)
    if array.shape != tuple(expected_shape):
        raise CheckFailed(f"{name} has shape {array.shape}, expected {tuple(expected_shape)}")
    return array


def expect_close(name: str, got, expected, rtol: float = 1e-6, atol: float = 1e-8) -> None:
    """Shape first, then values: names the first wrong entry and the largest difference."""
    expected = np.asarray(expected)
    got = expect_shape(name, got, expected.shape)
    if not np.all(np.isfinite(got)):
        raise CheckFailed(f"{name} contains NaN or infinity")
    wrong = ~np.isclose(got, expected, rtol=rtol, atol=atol)
    if wrong.any():
        first = tuple(int(i) for i in np.argwhere(wrong)[0]) if got.ndim else ()
        where = f" at index {first}" if first else ""
        raise CheckFailed(
            f"{name} is wrong{where}: got {got[first]:.6g}, expected {expected[first]:.6g} "
            f"({int(wrong.sum())} of {wrong.size} entries differ; largest difference "
            f"{np.max(np.abs(got - expected)):.3g})"
        )
