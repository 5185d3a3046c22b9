"""Checkers for chapter 1 (sequences and recurrence).

Each runs the student's answer on hidden random inputs, prints "Correct! ..." when it
is right and raises :class:`~rnnbook.checks.CheckFailed` saying what is wrong when it is
not. An exception raised inside the student's code becomes a one-line ``CheckFailed``
chained to it, so its traceback still points at the student's line.
"""

from __future__ import annotations

import numpy as np

from rnnbook import numpy_rnn
from rnnbook.checks import CheckFailed, checker, expect_close, expect_shape, passed

_SEED = 20_011  # hidden inputs: not the chapter's seed, so answers cannot be tuned to them


def _step_cases(rng: np.random.Generator):
    """(x_t, h_prev, Wxh, Whh, bh) for a few sizes, none of them square, so transposes show."""
    for batch, n_in, n_hidden in [(4, 3, 5), (1, 2, 3), (6, 7, 2)]:
        yield (
            rng.standard_normal((batch, n_in)),
            rng.uniform(-1, 1, (batch, n_hidden)),
            rng.standard_normal((n_in, n_hidden)) / np.sqrt(n_in),
            rng.standard_normal((n_hidden, n_hidden)) / np.sqrt(n_hidden),
            rng.standard_normal(n_hidden) * 0.5,
        )


def _step_mistakes(x, h, Wxh, Whh, bh) -> dict[str, np.ndarray]:
    """Outputs of the usual wrong versions of one RNN step, each with the hint that fixes it."""
    return {
        "it equals the pre-activation without tanh: apply np.tanh to the sum": x @ Wxh + h @ Whh + bh,
        "it uses Whh transposed: with batches as rows the step is h_prev @ Whh": np.tanh(
            x @ Wxh + h @ Whh.T + bh
        ),
        "it leaves out the bias bh": np.tanh(x @ Wxh + h @ Whh),
        "it ignores h_prev, so the network has no memory: add h_prev @ Whh": np.tanh(x @ Wxh + bh),
        "it ignores the input x_t: add x_t @ Wxh": np.tanh(h @ Whh + bh),
        "it uses a sigmoid; the vanilla RNN uses tanh": 1 / (1 + np.exp(-(x @ Wxh + h @ Whh + bh))),
    }


@checker("a function rnn_step(x_t, h_prev, Wxh, Whh, bh) returning h_t, an array of shape (batch, n_hidden)")
def check_rnn_step(rnn_step) -> None:
    """Check ``rnn_step(x_t, h_prev, Wxh, Whh, bh) -> h_t`` (batch rows, shape (B, H))."""
    rng = np.random.default_rng(_SEED)
    for case in _step_cases(rng):
        x, h, Wxh, Whh, bh = case
        originals = [a.copy() for a in case]
        got = rnn_step(*case)
        if any(not np.array_equal(a, b) for a, b in zip(case, originals, strict=True)):
            raise CheckFailed("rnn_step changed one of its arguments in place; compute a new array instead")
        batch, n_hidden = x.shape[0], Whh.shape[0]
        expected_shape = (batch, n_hidden)
        if got is not None and np.shape(got) == expected_shape[::-1] and batch != n_hidden:
            raise CheckFailed(
                f"h_t has shape {np.shape(got)}, expected {expected_shape} "
                "(batch, hidden): it looks transposed; keep one example per row"
            )
        got = expect_shape(
            f"h_t for batch={batch}, n_in={x.shape[1]}, n_hidden={n_hidden}", got, expected_shape
        )
        expected = np.tanh(x @ Wxh + h @ Whh + bh)
        if np.allclose(got, expected, rtol=1e-6, atol=1e-8):
            continue
        for hint, wrong in _step_mistakes(*case).items():
            if np.allclose(got, wrong, rtol=1e-6, atol=1e-8):
                raise CheckFailed(f"h_t is wrong: {hint}")
        expect_close(f"h_t for batch={batch}, n_in={x.shape[1]}, n_hidden={n_hidden}", got, expected)
    passed("rnn_step matches h_t = tanh(x_t @ Wxh + h_prev @ Whh + bh) on 3 hidden test cases.")


# --- counting the parameters of a stacked RNN -------------------------------------------

# name -> its number of entries, for sizes (n_in, n_hidden1, n_hidden2, n_out)
_STACKED_TERMS = {
    "W_xh1 (input to layer 1)": lambda n_in, h1, h2, n_out: n_in * h1,
    "W_hh1 (layer 1 to itself)": lambda n_in, h1, h2, n_out: h1 * h1,
    "b_h1": lambda n_in, h1, h2, n_out: h1,
    "W_h1h2 (layer 1 to layer 2)": lambda n_in, h1, h2, n_out: h1 * h2,
    "W_hh2 (layer 2 to itself)": lambda n_in, h1, h2, n_out: h2 * h2,
    "b_h2": lambda n_in, h1, h2, n_out: h2,
    "W_hy (layer 2 to output)": lambda n_in, h1, h2, n_out: h2 * n_out,
    "b_y": lambda n_in, h1, h2, n_out: n_out,
}


def expected_stacked_count(n_in: int, n_hidden1: int, n_hidden2: int, n_out: int) -> int:
    """Weights and biases of a two-layer (stacked) vanilla RNN with a linear output."""
    return sum(term(n_in, n_hidden1, n_hidden2, n_out) for term in _STACKED_TERMS.values())


def _count_hint(sizes: tuple, difference: int) -> str:
    """Name the matrix or bias whose size equals the gap, when exactly one does."""
    left_out = [name for name, term in _STACKED_TERMS.items() if term(*sizes) == -difference]
    doubled = [name for name, term in _STACKED_TERMS.items() if term(*sizes) == difference]
    if len(left_out) == 1:
        return f" The gap is the size of {left_out[0]}: did you leave it out?"
    if len(doubled) == 1:
        return f" The gap is the size of {doubled[0]}: did you count it twice?"
    return ""


@checker("a function count_stacked_params(n_in, n_hidden1, n_hidden2, n_out) returning an int")
def check_count_stacked_params(count_stacked_params) -> None:
    """Check ``count_stacked_params(n_in, n_hidden1, n_hidden2, n_out) -> int`` on hidden sizes."""
    for sizes in [(3, 5, 7, 2), (1, 1, 1, 1), (65, 128, 256, 65), (7, 4, 9, 11)]:
        got = count_stacked_params(*sizes)
        expected = expected_stacked_count(*sizes)
        if got is None:
            raise CheckFailed("count_stacked_params returned None: did it forget to `return` the count?")
        if isinstance(got, bool) or not isinstance(got, (int, np.integer)):
            raise CheckFailed(
                f"count_stacked_params returned {got!r} of type {type(got).__name__}; "
                "a number of parameters is an int"
            )
        if got != expected:
            difference = int(got) - expected
            n_in, h1, h2, n_out = sizes
            raise CheckFailed(
                f"for n_in={n_in}, n_hidden1={h1}, n_hidden2={h2}, n_out={n_out} you counted {got}, "
                f"expected {expected} ({difference:+d}).{_count_hint(sizes, difference)}"
            )
    passed("count_stacked_params is right on 4 hidden sizes (and the sequence length is not an argument).")


# --- a hand-set running-sum RNN --------------------------------------------------------

RUNNING_SUM_TOLERANCE = 0.05
_SHAPES_1D = {"Wxh": (1, 1), "Whh": (1, 1), "bh": (1,), "Why": (1, 1), "by": (1,)}


def running_sum_inputs(rng: np.random.Generator, n: int = 200, steps: int = 12) -> np.ndarray:
    """Test sequences for the running-sum exercise: values in [-1, 1], shape (n, steps, 1)."""
    return rng.uniform(-1, 1, (n, steps, 1))


def _running_sum_hint(params: dict, got: float, expected: float) -> str:
    """A likely cause of the worst error, judged from the weights and that one output."""
    if float(params["bh"][0]) != 0 or float(params["by"][0]) != 0:
        return " A sum of nothing is 0, so both biases should be 0."
    if np.sign(got) == -np.sign(expected) and abs(expected) > 0.1:
        return " The output has the wrong sign."
    if abs(got) < abs(expected):
        if float(params["Whh"][0, 0]) < 0.999:
            return (
                " The output is too small: with Whh < 1 the state leaks away a little at "
                "every step, so early inputs are forgotten."
            )
        return (
            " The output is too small: tanh squashes a hidden value that is not close to 0. "
            "Keep h_t small (a small Wxh) and scale it back up in Why."
        )
    return ""


@checker("a dict of arrays Wxh (1, 1), Whh (1, 1), bh (1,), Why (1, 1), by (1,)", answer="value")
def check_running_sum(params: dict) -> None:
    """Check hand-set weights of a 1-unit RNN whose output y_t is the running sum x_1 + ... + x_t."""
    if not isinstance(params, dict):
        raise CheckFailed(f"params must be a dict of arrays, got {type(params).__name__}")
    missing = [name for name in _SHAPES_1D if name not in params]
    if missing:
        raise CheckFailed(f"params is missing {missing}; it needs {list(_SHAPES_1D)}")
    arrays = {
        name: expect_shape(name, params[name], shape).astype(float) for name, shape in _SHAPES_1D.items()
    }
    xs = running_sum_inputs(np.random.default_rng(_SEED))
    ys, _ = numpy_rnn.forward(arrays, xs)
    sums = np.cumsum(xs[..., 0], axis=1)
    errors = np.abs(ys[..., 0] - sums)
    if not np.all(np.isfinite(errors)):
        raise CheckFailed("the outputs contain NaN or infinity")
    worst = np.unravel_index(np.argmax(errors), errors.shape)
    if errors[worst] > RUNNING_SUM_TOLERANCE:
        hint = _running_sum_hint(arrays, ys[worst][0], sums[worst])
        raise CheckFailed(
            f"y_{worst[1] + 1} of test sequence {worst[0]} is {ys[worst][0]:.4f} but the running "
            f"sum is {sums[worst]:.4f} (error {errors[worst]:.3g}, allowed {RUNNING_SUM_TOLERANCE})." + hint
        )
    passed(
        f"on {xs.shape[0]} hidden sequences of {xs.shape[1]} steps every output is within "
        f"{errors.max():.2g} of the running sum."
    )
