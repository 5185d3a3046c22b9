"""NumPy LSTM and GRU layers that run on a Keras layer's own weights.

``weights`` is what ``layer.get_weights()`` returns for a Keras 3 ``LSTM`` or ``GRU``
with its default activations (``tanh``, recurrent ``sigmoid``) and ``use_bias=True``:

* LSTM: ``kernel`` (n_in, 4H), ``recurrent_kernel`` (H, 4H), ``bias`` (4H,);
  the four column blocks are the gates in Keras' order i, f, c, o
  (input, forget, cell candidate, output).
* GRU: ``kernel`` (n_in, 3H), ``recurrent_kernel`` (H, 3H), blocks in the order
  z, r, h (update, reset, candidate); ``bias`` is (2, 3H) with ``reset_after=True``
  (Keras' default: row 0 is added to the input part, row 1 to the recurrent part)
  and (3H,) with ``reset_after=False``.

Shapes are batch first, as in Keras: inputs ``xs`` are ``(B, T, n_in)`` and a step
multiplies row vectors on the right, ``x_t @ kernel + h_{t-1} @ recurrent_kernel + bias``.
Chapter 6 writes the steps in its own cells; this module is the tested version.
"""

from __future__ import annotations

import numpy as np

from rnnbook.validate import ArgumentTypeError, numeric_array, positive_int

LSTM_GATES = ("input", "forget", "candidate", "output")  # Keras' column order i, f, c, o
GRU_GATES = ("update", "reset", "candidate")  # Keras' column order z, r, h


def sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function, written with tanh so that large |x| never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _shape_error(kind: str, name: str, expected: str, got) -> ValueError:
    return ValueError(f"{kind} {name} must have shape {expected}, got {tuple(np.shape(got))}")


def _unpack(weights, kind: str, blocks: int):
    """The three weight arrays and the number of units, after checking their shapes."""
    if not isinstance(weights, list | tuple) or len(weights) != 3:
        got = f"{len(weights)} array(s)" if isinstance(weights, list | tuple) else type(weights).__name__
        raise ArgumentTypeError(
            f"{kind} weights must be [kernel, recurrent_kernel, bias] as returned by "
            f"layer.get_weights() (use_bias=True), got {got}"
        )
    if len(weights) != 3:
        raise ValueError(
            f"{kind} weights must be [kernel, recurrent_kernel, bias] as returned by "
            f"layer.get_weights() (use_bias=True), got {len(weights)} array(s)"
        )
    kernel, recurrent_kernel, bias = (numeric_array(f"{kind} weights", w) for w in weights)
    if recurrent_kernel.ndim != 2 or recurrent_kernel.shape[0] == 0:
        raise _shape_error(kind, "recurrent_kernel", f"(H, {blocks}H)", recurrent_kernel)
    units = recurrent_kernel.shape[0]
    if recurrent_kernel.shape != (units, blocks * units):
        raise _shape_error(
            kind,
            "recurrent_kernel",
            f"(H, {blocks}H) = ({units}, {blocks * units}) for {units} units",
            recurrent_kernel,
        )
    if kernel.ndim != 2 or kernel.shape[1] != blocks * units:
        raise _shape_error(
            kind, "kernel", f"(n_in, {blocks}H) = (n_in, {blocks * units}) for {units} units", kernel
        )
    return kernel, recurrent_kernel, bias, units


def lstm_units(weights) -> int:
    """The number of units H of an LSTM's weights; ValueError if the shapes do not fit."""
    _, _, bias, units = _unpack(weights, "LSTM", 4)
    if bias.shape != (4 * units,):
        raise _shape_error("LSTM", "bias", f"(4H,) = ({4 * units},) for {units} units", bias)
    return units


def gru_units(weights) -> tuple[int, bool]:
    """The number of units H of a GRU's weights and whether they are ``reset_after``."""
    _, _, bias, units = _unpack(weights, "GRU", 3)
    if bias.shape == (2, 3 * units):
        return units, True
    if bias.shape == (3 * units,):
        return units, False
    raise _shape_error(
        "GRU",
        "bias",
        f"(2, 3H) = (2, {3 * units}) with reset_after=True or "
        f"(3H,) = ({3 * units},) with reset_after=False, for {units} units",
        bias,
    )


def _check_inputs(kind: str, xs, n_in: int) -> np.ndarray:
    xs = numeric_array("xs", xs)
    if xs.ndim != 3 or xs.shape[2] != n_in:
        raise ValueError(f"{kind} inputs must have shape (batch, time, {n_in}), got {xs.shape}")
    return xs


def _initial(kind: str, name: str, state, batch: int, units: int, dtype) -> np.ndarray:
    if state is None:
        return np.zeros((batch, units), dtype=dtype)
    state = numeric_array(name, state, dtype)
    if state.shape != (batch, units):
        raise ValueError(f"{kind} initial {name} must have shape ({batch}, {units}), got {state.shape}")
    return state


def lstm_step(x, h, c, kernel, recurrent_kernel, bias):
    """One LSTM step for a batch: returns ``h_t``, ``c_t`` and the four gates (a dict)."""
    z = x @ kernel + h @ recurrent_kernel + bias  # all four pre-activations, (B, 4H)
    zi, zf, zc, zo = np.split(z, 4, axis=-1)
    gates = {"input": sigmoid(zi), "forget": sigmoid(zf), "candidate": np.tanh(zc), "output": sigmoid(zo)}
    c_new = gates["forget"] * c + gates["input"] * gates["candidate"]
    h_new = gates["output"] * np.tanh(c_new)
    return h_new, c_new, gates


def lstm_forward(xs, weights, h0=None, c0=None) -> dict[str, np.ndarray]:
    """Run an LSTM with Keras weights over ``xs`` (B, T, n_in).

    Returns a dict of (B, T, H) arrays, one entry per step: ``"h"`` (what the Keras layer
    returns with ``return_sequences=True``), ``"c"`` (the cell state) and the gates
    ``"input"``, ``"forget"``, ``"candidate"``, ``"output"``.
    """
    units = lstm_units(weights)
    kernel, recurrent_kernel, bias = (np.asarray(w) for w in weights)
    xs = _check_inputs("LSTM", xs, kernel.shape[0])
    batch, steps, _ = xs.shape
    dtype = np.result_type(xs, kernel)
    h = _initial("LSTM", "h0", h0, batch, units, dtype)
    c = _initial("LSTM", "c0", c0, batch, units, dtype)
    out = {name: np.empty((batch, steps, units), dtype=dtype) for name in ("h", "c", *LSTM_GATES)}
    for t in range(steps):
        h, c, gates = lstm_step(xs[:, t], h, c, kernel, recurrent_kernel, bias)
        for name, value in {"h": h, "c": c, **gates}.items():
            out[name][:, t] = value
    return out


def gru_step(x, h, kernel, recurrent_kernel, bias):
    """One GRU step; ``bias`` (2, 3H) means ``reset_after=True``, (3H,) ``reset_after=False``.

    Returns ``h_t`` and the gates (a dict). As in Keras, the update gate z keeps the old
    state: ``h_t = z * h_{t-1} + (1 - z) * candidate``.
    """
    units = h.shape[-1]
    reset_after = np.ndim(bias) == 2
    input_bias, recurrent_bias = (bias[0], bias[1]) if reset_after else (bias, np.zeros_like(bias))
    x_z, x_r, x_h = np.split(x @ kernel + input_bias, 3, axis=-1)
    u_zr = h @ recurrent_kernel[:, : 2 * units] + recurrent_bias[: 2 * units]
    z = sigmoid(x_z + u_zr[:, :units])
    r = sigmoid(x_r + u_zr[:, units:])
    u_h = recurrent_kernel[:, 2 * units :]
    if reset_after:  # reset gate applied after the recurrent product (cuDNN's convention)
        recurrent = r * (h @ u_h + recurrent_bias[2 * units :])
    else:  # the original GRU: reset the state before the product
        recurrent = (r * h) @ u_h
    candidate = np.tanh(x_h + recurrent)
    h_new = z * h + (1.0 - z) * candidate
    return h_new, {"update": z, "reset": r, "candidate": candidate}


def gru_forward(xs, weights, h0=None) -> dict[str, np.ndarray]:
    """Run a GRU with Keras weights over ``xs`` (B, T, n_in).

    Returns a dict of (B, T, H) arrays: ``"h"`` (the layer's ``return_sequences=True``
    output) and the gates ``"update"``, ``"reset"``, ``"candidate"``.
    """
    units, _ = gru_units(weights)
    kernel, recurrent_kernel, bias = (np.asarray(w) for w in weights)
    xs = _check_inputs("GRU", xs, kernel.shape[0])
    batch, steps, _ = xs.shape
    dtype = np.result_type(xs, kernel)
    h = _initial("GRU", "h0", h0, batch, units, dtype)
    out = {name: np.empty((batch, steps, units), dtype=dtype) for name in ("h", *GRU_GATES)}
    for t in range(steps):
        h, gates = gru_step(xs[:, t], h, kernel, recurrent_kernel, bias)
        for name, value in {"h": h, **gates}.items():
            out[name][:, t] = value
    return out


def lstm_parameter_count(n_in: int, units: int) -> int:
    """4 blocks, each an input kernel, a recurrent kernel and a bias: 4(H(n_in + H) + H)."""
    n_in, units = positive_int("n_in", n_in), positive_int("units", units)
    return 4 * (units * (n_in + units) + units)


def gru_parameter_count(n_in: int, units: int, reset_after: bool = True) -> int:
    """3 blocks; with ``reset_after`` (Keras' default) two biases each: 3(H(n_in + H) + 2H)."""
    n_in, units = positive_int("n_in", n_in), positive_int("units", units)
    biases = 2 if reset_after else 1
    return 3 * (units * (n_in + units) + biases * units)


__all__ = [
    "GRU_GATES",
    "LSTM_GATES",
    "gru_forward",
    "gru_parameter_count",
    "gru_step",
    "gru_units",
    "lstm_forward",
    "lstm_parameter_count",
    "lstm_step",
    "lstm_units",
    "sigmoid",
]
