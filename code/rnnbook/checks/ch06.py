"""Checkers for chapter 6 (inside LSTM and GRU).

Each checker calls the student's step function on hidden random weights laid out as
Keras stores them and compares it with :mod:`rnnbook.gates`. When a wrong answer
matches a common mistake (gates in another order, a missing tanh, the other GRU
convention), the message says which.
"""

from __future__ import annotations

import numpy as np

from rnnbook import gates
from rnnbook.checks import CheckFailed, checker, expect_shape, passed

BATCH, N_IN, UNITS = 3, 2, 4
RTOL, ATOL = 1e-5, 1e-6


def _random_case(blocks: int, bias_shape: tuple, seed: int):
    """A batch of inputs and states with weights of the shapes Keras uses, float64."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(BATCH, N_IN))
    h = rng.normal(scale=0.5, size=(BATCH, UNITS))
    c = rng.normal(size=(BATCH, UNITS))
    kernel = rng.normal(scale=0.8, size=(N_IN, blocks * UNITS))
    recurrent_kernel = rng.normal(scale=0.8, size=(UNITS, blocks * UNITS))
    bias = rng.normal(scale=0.5, size=bias_shape)
    return x, h, c, kernel, recurrent_kernel, bias


def _matches(got: np.ndarray, expected: np.ndarray) -> bool:
    return got.shape == expected.shape and bool(np.allclose(got, expected, rtol=RTOL, atol=ATOL))


def _difference(name: str, got: np.ndarray, expected: np.ndarray) -> str:
    if not np.all(np.isfinite(got)):
        return f"{name} contains NaN or infinity"
    error = np.abs(got - expected)
    where = tuple(int(i) for i in np.unravel_index(np.argmax(error), error.shape))
    return (
        f"{name} is wrong: largest difference {error.max():.3g} at index {where} "
        f"(got {got[where]:.6g}, expected {expected[where]:.6g})"
    )


def _as_outputs(result, names: tuple[str, ...]) -> list[np.ndarray]:
    if len(names) == 1:
        return [expect_shape(names[0], result, (BATCH, UNITS))]
    if not isinstance(result, (tuple, list)) or len(result) != len(names):
        raise CheckFailed(
            f"the function must return a pair ({', '.join(names)}), got {type(result).__name__}"
        )
    return [expect_shape(name, value, (BATCH, UNITS)) for name, value in zip(names, result, strict=True)]


# --- LSTM ------------------------------------------------------------------------------


def _lstm_reference(
    x, h, c, kernel, recurrent_kernel, bias, order="ifco", h_tanh=True, candidate=np.tanh, h_from_old_c=False
):
    """The LSTM step, or one of the common mistakes (another gate order, a missing tanh...)."""
    blocks = dict(zip(order, np.split(x @ kernel + h @ recurrent_kernel + bias, 4, axis=-1), strict=True))
    i, f, o = (gates.sigmoid(blocks[k]) for k in "ifo")
    c_new = f * c + i * candidate(blocks["c"])
    cell = c if h_from_old_c else c_new
    h_new = o * (np.tanh(cell) if h_tanh else cell)
    return h_new, c_new


LSTM_MISTAKES = {
    "the gate blocks are read in the order i, f, o, c; Keras stores them as i, f, c, o "
    "(input, forget, cell candidate, output)": {"order": "ifoc"},
    "the gate blocks are read in the order i, c, f, o; Keras stores them as i, f, c, o "
    "(input, forget, cell candidate, output)": {"order": "icfo"},
    "h_t = o_t * c_t: the new cell state goes through tanh first, h_t = o_t * tanh(c_t)": {"h_tanh": False},
    "the candidate uses a sigmoid; it uses tanh, so it can be negative": {"candidate": gates.sigmoid},
    "h_t uses the old cell state c_(t-1); it uses the new one, h_t = o_t * tanh(c_t)": {"h_from_old_c": True},
}


@checker(
    "a function step(x, h, c, kernel, recurrent_kernel, bias) returning a pair (h_t, c_t) "
    "of (batch, units) arrays"
)
def check_lstm_step(student_step) -> None:
    """``student_step(x, h, c, kernel, recurrent_kernel, bias)`` must return ``(h_t, c_t)``.

    Shapes as in Keras: ``x`` (B, n_in), ``h`` and ``c`` (B, H), ``kernel`` (n_in, 4H),
    ``recurrent_kernel`` (H, 4H), ``bias`` (4H,), gate blocks in the order i, f, c, o.
    """
    case = _random_case(4, (4 * UNITS,), seed=606)
    got_h, got_c = _as_outputs(student_step(*(np.copy(a) for a in case)), ("h", "c"))
    expected_h, expected_c = _lstm_reference(*case)
    problems = [
        _difference(name, got, want)
        for name, got, want in (("c", got_c, expected_c), ("h", got_h, expected_h))
        if not _matches(got, want)
    ]
    if not problems:
        passed(f"h and c match Keras' LSTM step for a batch of {BATCH}, {N_IN} inputs, {UNITS} units.")
        return
    right = [
        name
        for name, got, want in (("c", got_c, expected_c), ("h", got_h, expected_h))
        if _matches(got, want)
    ]
    message = "; ".join(problems) + (f"; {right[0]} is right" if right else "")
    for mistake, options in LSTM_MISTAKES.items():
        h_variant, c_variant = _lstm_reference(*case, **options)
        if _matches(got_h, h_variant) and _matches(got_c, c_variant):
            message += f". It looks as if {mistake}"
            break
    raise CheckFailed(message)


# --- GRU (reset_after=False) ------------------------------------------------------------


def _gru_reference(x, h, kernel, recurrent_kernel, bias, order="zrh", reset_after=False, z_keeps_old=True):
    """The original GRU step (reset before the product), or one of the common mistakes."""
    units = h.shape[-1]
    split = dict(zip(order, range(3), strict=True))
    block = {k: slice(split[k] * units, (split[k] + 1) * units) for k in "zrh"}
    x_part = x @ kernel + bias
    z = gates.sigmoid(x_part[:, block["z"]] + h @ recurrent_kernel[:, block["z"]])
    r = gates.sigmoid(x_part[:, block["r"]] + h @ recurrent_kernel[:, block["r"]])
    u_h = recurrent_kernel[:, block["h"]]
    recurrent = r * (h @ u_h) if reset_after else (r * h) @ u_h
    candidate = np.tanh(x_part[:, block["h"]] + recurrent)
    return z * h + (1 - z) * candidate if z_keeps_old else (1 - z) * h + z * candidate


GRU_MISTAKES = {
    "the reset gate multiplies h_(t-1) @ U_h, after the product (Keras' reset_after=True); "
    "here it resets the state before the product: (r_t * h_(t-1)) @ U_h": {"reset_after": True},
    "z weights the candidate; in Keras the update gate keeps the old state: "
    "h_t = z_t * h_(t-1) + (1 - z_t) * candidate": {"z_keeps_old": False},
    "the update and reset blocks are swapped; Keras stores them as z, r, h (update, reset, candidate)": {
        "order": "rzh"
    },
}


@checker("a function step(x, h, kernel, recurrent_kernel, bias) returning h_t, a (batch, units) array")
def check_gru_step_reset_before(student_step) -> None:
    """``student_step(x, h, kernel, recurrent_kernel, bias)`` -> ``h_t`` for ``reset_after=False``.

    Shapes as in Keras' ``GRU(reset_after=False)``: ``kernel`` (n_in, 3H),
    ``recurrent_kernel`` (H, 3H), one bias of shape (3H,), blocks in the order z, r, h.
    """
    x, h, _, kernel, recurrent_kernel, bias = _random_case(3, (3 * UNITS,), seed=607)
    case = (x, h, kernel, recurrent_kernel, bias)
    (got,) = _as_outputs(student_step(*(np.copy(a) for a in case)), ("h",))
    expected = _gru_reference(*case)
    if _matches(got, expected):
        passed(f"h matches Keras' GRU(reset_after=False) step for a batch of {BATCH}, {UNITS} units.")
        return
    message = _difference("h", got, expected)
    for mistake, options in GRU_MISTAKES.items():
        if _matches(got, _gru_reference(*case, **options)):
            message += f". It looks as if {mistake}"
            break
    raise CheckFailed(message)


__all__ = ["check_gru_step_reset_before", "check_lstm_step"]
