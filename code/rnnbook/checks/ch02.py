"""Checkers for chapter 2 (backpropagation through time)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from rnnbook import numpy_rnn
from rnnbook.checks import CheckFailed, checker, expect_shape, passed
from rnnbook.gradcheck import relative_error

TOLERANCE = 1e-6

# What each gradient is made of: shown when that gradient is wrong. The exercise loops
# t = T, ..., 1 as chapter 2 does, with h_t = hs[:, t] (hs[:, 0] is h_0), x_t = xs[:, t - 1]
# and dy_t = dys[:, t - 1].
HINTS = {
    "Why": "dL/dW_hy sums h_t^T @ dy_t over every step and every sequence (h_t is hs[:, t], "
    "dy_t is dys[:, t - 1])",
    "by": "dL/db_y sums dy_t over every step and every sequence",
    "Wxh": "dL/dW_xh sums x_t^T @ da_t (x_t is xs[:, t - 1]), where da_t = dL/dh_t * (1 - h_t**2) "
    "is the gradient through tanh",
    "Whh": "dL/dW_hh sums h_{t-1}^T @ da_t: the state *entering* step t (hs[:, t - 1]), "
    "not the one it produces (hs[:, t])",
    "bh": "dL/db_h sums da_t over every step and every sequence",
}

# Hidden cases: (batch, steps, n_in, n_hidden, n_out, loss at every step?)
CASES = [
    (1, 1, 1, 3, 1, False),
    (4, 5, 1, 6, 1, False),
    (3, 4, 2, 5, 2, True),
    (2, 7, 3, 4, 3, True),
]


def _random_case(case, rng):
    batch, steps, n_in, n_hidden, n_out, every_step = case
    params = numpy_rnn.init_params(n_in, n_hidden, n_out, rng)
    for name in ("bh", "by"):  # non-zero biases, so a missing bias term shows
        params[name] += 0.2 * rng.standard_normal(params[name].shape)
    xs = rng.standard_normal((batch, steps, n_in))
    h0 = 0.3 * rng.standard_normal((batch, n_hidden))
    _, hs = numpy_rnn.forward(params, xs, h0)
    dys = rng.standard_normal((batch, steps, n_out))
    if not every_step:
        dys[:, :-1] = 0.0  # a loss on the last output only
    return params, xs, hs, dys


def _describe(case) -> str:
    batch, steps, n_in, n_hidden, n_out, every_step = case
    where = "at every step" if every_step else "at the last step only"
    return (
        f"a batch of {batch} sequence(s) of {steps} step(s), n_in={n_in}, "
        f"n_hidden={n_hidden}, n_out={n_out}, loss {where}"
    )


@checker("a function batch_bptt(params, xs, hs, dys) returning a dict of the five gradients")
def check_batch_bptt(student_bptt: Callable, seed: int = 2) -> None:
    """Check ``student_bptt(params, xs, hs, dys) -> grads`` against the reference BPTT.

    The inputs are hidden random batches (several sizes, losses at the last step or
    at every step); every parameter's gradient must match
    :func:`rnnbook.numpy_rnn.backward` to a relative error below 1e-6. A failure
    names the parameter, its relative error, the case and what that gradient is
    made of.
    """
    rng = np.random.default_rng(seed)
    for case in CASES:
        params, xs, hs, dys = _random_case(case, rng)
        expected, _ = numpy_rnn.backward(params, xs, hs, dys)
        originals = [params, {"xs": xs, "hs": hs, "dys": dys}]
        copies = [{k: v.copy() for k, v in group.items()} for group in originals]
        got = student_bptt(params, xs, hs, dys)
        _check_inputs_untouched(originals, copies)
        if got is None:
            raise CheckFailed("the function returned None: did it forget to `return` the gradients?")
        if not isinstance(got, Mapping):
            raise CheckFailed(
                f"the function must return a dict of gradients keyed {list(numpy_rnn.PARAM_NAMES)}, "
                f"got {type(got).__name__}"
            )
        for name in numpy_rnn.PARAM_NAMES:
            if name not in got:
                raise CheckFailed(f"no gradient for {name!r}: the dict has keys {sorted(got)}")
            value = expect_shape(f"grads[{name!r}]", got[name], expected[name].shape)
            if not np.all(np.isfinite(value)):
                raise CheckFailed(f"grads[{name!r}] contains NaN or infinity ({_describe(case)})")
            error = relative_error(value, expected[name])
            if not error < TOLERANCE:
                raise CheckFailed(
                    f"grads[{name!r}] is wrong: relative error {error:.3g} against the reference "
                    f"(should be below {TOLERANCE:g}) for {_describe(case)}. Hint: {HINTS[name]}."
                )
    passed(f"all five gradients match the reference BPTT on {len(CASES)} hidden random batches.")


def _check_inputs_untouched(originals, copies) -> None:
    for group, saved in zip(originals, copies, strict=True):
        for name, value in saved.items():
            if not np.array_equal(group[name], value):
                raise CheckFailed(
                    f"the function changed its input {name!r} in place; compute new arrays instead "
                    "(the caller still needs the parameters and the forward pass)"
                )
