"""Checkers for chapter 3 (vanishing and exploding gradients).

Each runs the student's answer on hidden random inputs, prints "Correct! ..." when it
is right and raises :class:`~rnnbook.checks.CheckFailed` saying what is wrong when it
is not. An exception raised inside the student's code becomes a one-line
``CheckFailed`` chained to it, so its traceback still points at the student's line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from rnnbook import numpy_rnn
from rnnbook.checks import CheckFailed, checker, expect_close, expect_shape, passed

_SEED = 30_307  # hidden inputs: not the chapter's seed, so answers cannot be tuned to them


# --- clipping by the global norm ----------------------------------------------------------


def _random_grads(rng: np.random.Generator, scale: float) -> dict[str, np.ndarray]:
    shapes = {"Wxh": (2, 5), "Whh": (5, 5), "bh": (5,), "Why": (5, 3), "by": (3,)}
    return {name: scale * rng.standard_normal(shape) for name, shape in shapes.items()}


def _clip_cases(rng: np.random.Generator):
    """(grads, max_norm, what the case is) for each way an answer can go wrong."""
    big = _random_grads(rng, 10.0)
    yield big, 1.0, "a gradient far above max_norm"
    # One matrix dominates: clipping each array separately is then visibly wrong.
    lopsided = _random_grads(rng, 0.1)
    lopsided["Whh"] *= 300.0
    yield lopsided, 5.0, "a gradient dominated by one matrix"
    small = _random_grads(rng, 0.01)
    yield small, 1.0, "a gradient already below max_norm"
    yield {name: np.zeros_like(g) for name, g in big.items()}, 1.0, "an all-zero gradient"


def _as_grads(got, expected_keys) -> dict[str, np.ndarray]:
    if got is None:
        raise CheckFailed("the function returned None: did it forget to `return` the clipped gradients?")
    if not isinstance(got, Mapping):
        raise CheckFailed(
            f"the function must return a dict of gradients keyed like its input, got {type(got).__name__}"
        )
    if set(got) != set(expected_keys):
        raise CheckFailed(f"the returned dict has keys {sorted(got)}, expected {sorted(expected_keys)}")
    return dict(got)


def _diagnose_clip(got: dict, grads: dict, max_norm: float, case: str) -> None:
    """Name the mistake when ``got`` differs from the reference global-norm clipping."""
    norm_in = numpy_rnn.global_norm(grads)
    norm_out = numpy_rnn.global_norm(got)
    if norm_in == 0.0:
        raise CheckFailed(
            "an all-zero gradient must come back as zeros (check for NaN: dividing by a zero norm "
            "gives 0/0; only rescale when the norm is above max_norm)"
        )
    if all(np.allclose(got[k], np.clip(g, -max_norm, max_norm)) for k, g in grads.items()):
        raise CheckFailed(
            "each entry was clamped to [-max_norm, max_norm]: that is clipping by value, which "
            "changes the gradient's direction. Rescale every array by the same factor instead."
        )
    if norm_in <= max_norm:
        raise CheckFailed(
            f"for {case} (global norm {norm_in:.4g} <= max_norm {max_norm:g}) the gradients must "
            f"come back unchanged; yours have global norm {norm_out:.4g}"
        )
    per_array = {k: g * min(1.0, max_norm / np.linalg.norm(g)) for k, g in grads.items()}
    if all(np.allclose(got[k], per_array[k]) for k in grads):
        raise CheckFailed(
            f"each array was clipped on its own, so together they have global norm {norm_out:.4g} "
            f"> max_norm {max_norm:g}. Use one norm over all arrays: sqrt of the sum of every "
            "entry squared, and one scale factor for all of them."
        )
    flat_in = np.concatenate([g.ravel() for g in grads.values()])
    flat_out = np.concatenate([np.asarray(got[k], float).ravel() for k in grads])
    cosine = flat_in @ flat_out / (np.linalg.norm(flat_in) * np.linalg.norm(flat_out) + 1e-300)
    if cosine < 1 - 1e-9:
        raise CheckFailed(
            f"for {case} the clipped gradient points in a different direction (cosine "
            f"{cosine:.6f} with the original); clipping by norm must only rescale it"
        )
    raise CheckFailed(
        f"for {case} (global norm {norm_in:.4g}, max_norm {max_norm:g}) the clipped gradients "
        f"have global norm {norm_out:.4g}; expected {max_norm:g}"
    )


@checker("a function clip(grads, max_norm) returning a dict of arrays shaped like grads")
def check_clip_by_norm(student_clip: Callable) -> None:
    """Check ``student_clip(grads, max_norm) -> dict`` against global-norm clipping.

    The answer must rescale all arrays by one factor ``min(1, max_norm / global_norm)``,
    leave small gradients unchanged, map zeros to zeros, and not change its input.
    """
    rng = np.random.default_rng(_SEED)
    for grads, max_norm, case in _clip_cases(rng):
        saved = {k: g.copy() for k, g in grads.items()}
        got = _as_grads(student_clip(grads, max_norm), grads)
        if any(not np.array_equal(grads[k], saved[k]) for k in saved):
            raise CheckFailed(
                "the function changed the gradients it was given in place; return new arrays "
                "(the caller may still need the raw gradient, e.g. to log its norm)"
            )
        for name, value in got.items():
            value = expect_shape(f"clipped[{name!r}]", value, grads[name].shape)
            if not np.all(np.isfinite(value)):
                _diagnose_clip(got, grads, max_norm, case)
        expected = numpy_rnn.clip_by_norm(grads, max_norm)
        if not all(np.allclose(got[k], expected[k], rtol=1e-7, atol=1e-12) for k in grads):
            _diagnose_clip(got, grads, max_norm, case)
    passed("the gradients are rescaled together to global norm max_norm, only when they are larger.")


# --- the Jacobian dh_T/dh_t -----------------------------------------------------------------


def reference_state_jacobian(Whh: np.ndarray, hs: np.ndarray, t: int) -> np.ndarray:
    """dh_T/dh_t for one sequence: rows index h_T, columns h_t (``hs`` is (T+1, H), hs[0] = h0).

    With rows as examples, h_k = tanh(x_k @ Wxh + h_{k-1} @ Whh + bh), so one step's
    Jacobian is diag(1 - h_k^2) @ Whh.T, and dh_T/dh_t = J_T @ J_{T-1} @ ... @ J_{t+1}.
    """
    steps = hs.shape[0] - 1
    jacobian = np.eye(Whh.shape[0])
    for k in range(t + 1, steps + 1):  # each later step multiplies on the left
        jacobian = ((1.0 - hs[k] ** 2)[:, None] * Whh.T) @ jacobian
    return jacobian


def _jacobian_mistakes(Whh, hs, t) -> dict[str, np.ndarray]:
    """The usual wrong answers, each with the hint that fixes it."""
    steps = hs.shape[0] - 1
    right = reference_state_jacobian(Whh, hs, t)

    def product(factors):  # the latest step on the left, as in the reference
        out = np.eye(Whh.shape[0])
        for factor in factors:
            out = factor @ out
        return out

    return {
        "it is the transpose of dh_T/dh_t: rows must index h_T and columns h_t "
        "(J[i, j] = dh_T[i] / dh_t[j])": right.T,
        "it uses Whh where the step's Jacobian needs Whh.T (with rows as examples, "
        "h_k = tanh(... + h_{k-1} @ Whh), so dh_k/dh_{k-1} = diag(1 - h_k**2) @ Whh.T)": product(
            (1 - hs[k] ** 2)[:, None] * Whh for k in range(t + 1, steps + 1)
        ),
        "it leaves out the tanh derivative diag(1 - h_k**2) of each step": np.linalg.matrix_power(
            Whh.T, steps - t
        ),
        "its tanh derivatives are one step off: step k's Jacobian uses 1 - h_k**2 with h_k the "
        "state it produces (hs[k]), for k = t+1 .. T, not hs[k-1]": product(
            (1 - hs[k - 1] ** 2)[:, None] * Whh.T for k in range(t + 1, steps + 1)
        ),
        "the factors are multiplied in the wrong order: the chain rule gives "
        "J_T @ J_{T-1} @ ... @ J_{t+1} (the latest step on the left)": product(
            (1 - hs[k] ** 2)[:, None] * Whh.T for k in range(steps, t, -1)
        ),
    }


@checker("a function jacobian(Whh, hs, t) returning dh_T/dh_t, an array of shape (H, H)")
def check_state_jacobian(student_jacobian: Callable) -> None:
    """Check ``student_jacobian(Whh, hs, t) -> (H, H)`` = dh_T/dh_t on hidden sequences."""
    rng = np.random.default_rng(_SEED + 1)
    for n_hidden, steps, t in [(4, 3, 0), (5, 6, 2), (3, 4, 4), (6, 8, 5)]:
        params = numpy_rnn.init_params(2, n_hidden, 1, rng, recurrent_scale=1.3)
        params["bh"] += 0.3 * rng.standard_normal(n_hidden)
        xs = rng.standard_normal((1, steps, 2))
        _, hs = numpy_rnn.forward(params, xs, 0.5 * rng.standard_normal((1, n_hidden)))
        hs = hs[0]
        Whh, saved = params["Whh"], params["Whh"].copy()
        got = student_jacobian(Whh, hs.copy(), t)
        if not np.array_equal(Whh, saved):
            raise CheckFailed("the function changed Whh in place; compute new arrays instead")
        where = f"H={n_hidden}, T={steps}, t={t}"
        got = expect_shape(f"dh_T/dh_t ({where})", got, (n_hidden, n_hidden))
        expected = reference_state_jacobian(Whh, hs, t)
        if np.allclose(got, expected, rtol=1e-7, atol=1e-10):
            continue
        if t == steps:
            raise CheckFailed(
                f"for t = T ({where}) dh_T/dh_t is the identity matrix: no step lies between them"
            )
        for hint, wrong in _jacobian_mistakes(Whh, hs, t).items():
            if np.allclose(got, wrong, rtol=1e-7, atol=1e-10):
                raise CheckFailed(f"dh_T/dh_t ({where}) is wrong: {hint}")
        expect_close(f"dh_T/dh_t ({where})", got, expected, rtol=1e-7, atol=1e-10)
    passed("dh_T/dh_t matches the product of the steps' Jacobians on 4 hidden sequences.")
