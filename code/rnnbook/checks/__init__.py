"""Exercise checkers: immediate, specific feedback for students.

A checker prints one line starting with "Correct" when the answer is right, and
raises :class:`CheckFailed` (an AssertionError) saying exactly what is wrong when it
is not: which shape, which value, by how much. Each chapter's checkers live in
``rnnbook.checks.chNN``; the helpers below keep their messages consistent.

Every checker is wrapped by :func:`checker`, so whatever it is given (``None``, a
function that raises, a function that returns the wrong kind of thing) it ends in one
``CheckFailed`` line saying what it expected and what it got, never in a raw
``TypeError`` from inside the checker. An exception raised by the student's code is
chained (``raise ... from``), so its traceback still points at the student's line.
"""

from __future__ import annotations

import functools
import textwrap

import numpy as np

#: Width of the book's code column: a longer "Correct!" line would scroll sideways.
LINE_WIDTH = 80


class CheckFailed(AssertionError):
    """The student's answer is wrong; the message says how."""


def passed(message: str) -> None:
    """Print the one "Correct! ..." verdict, wrapped to the book's column width."""
    print(textwrap.fill(f"Correct! {message}", LINE_WIDTH, break_on_hyphens=False))


def describe(value) -> str:
    """A short description of any value for a message: its type, and shape or repr."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if callable(value) and hasattr(value, "__name__"):
        return f"the {type(value).__name__} {value.__name__}"
    text = repr(value)
    text = text if len(text) <= 60 else text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else "(no message)"


def checker(expects: str, *, answer: str = "function"):
    """Make a ``check_*`` function fail in one line, whatever its first argument is.

    ``expects`` says what the checker needs, e.g. ``"a function rnn_step(x_t, h_prev,
    Wxh, Whh, bh) returning h_t (batch, n_hidden)"``. With ``answer="function"`` the
    first argument must be callable and is replaced by a wrapper that turns an
    exception raised by the student's code into ``CheckFailed`` (chained to it) and
    remembers the last value returned; the unwrapped function is ``wrapper.raw`` for a
    checker that expects the student's code to raise. With ``answer="model"`` it must
    only be callable; with ``answer="value"`` anything is passed on. Any other error
    the checker meets (a wrong type or shape it cannot work with) becomes
    ``CheckFailed`` naming what was expected and what it got.
    """

    def decorate(check):
        label = check.__name__

        @functools.wraps(check)
        def run(given, *args, **kwargs):
            if answer != "value" and not callable(given):
                raise CheckFailed(
                    f"{label} expects {expects}; got {describe(given)}. Pass the "
                    f"{'function' if answer == 'function' else 'model'} itself (its name, no parentheses)"
                )
            returned = []
            target = given
            if answer == "function":

                def target(*a, **k):
                    try:
                        result = given(*a, **k)
                    except Exception as error:
                        raise CheckFailed(
                            f"your function raised {type(error).__name__}: {_first_line(error)} "
                            f"(the checker expects {expects})"
                        ) from error
                    returned.append(result)
                    return result

                target.raw = given
            try:
                return check(target, *args, **kwargs)
            except CheckFailed:
                raise
            except Exception as error:
                got = describe(returned[-1]) if returned else describe(given)
                raise CheckFailed(
                    f"{label} expects {expects}; got {got}, which it cannot use "
                    f"({type(error).__name__}: {_first_line(error)})"
                ) from error

        return run

    return decorate


def expect_shape(name: str, got, expected_shape: tuple) -> np.ndarray:
    """``got`` as an array, after checking that it has ``expected_shape``."""
    if got is None:
        raise CheckFailed(f"{name} is None: did the function forget to `return` it?")
    try:
        array = np.asarray(got)
    except (TypeError, ValueError):
        raise CheckFailed(
            f"{name} is {describe(got)}, expected an array of shape {tuple(expected_shape)}"
        ) from None
    if array.dtype == object or array.dtype.kind in "USV":
        raise CheckFailed(
            f"{name} is {describe(got)}, expected an array of numbers of shape {tuple(expected_shape)}"
        )
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
