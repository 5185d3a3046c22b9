"""Checkers for chapter 5 (SimpleRNN, LSTM and GRU in Keras).

The first two need only NumPy. :func:`check_model_shapes` calls the student's model on
a small batch of zeros, so it works with any Keras model without importing Keras here.
"""

from __future__ import annotations

import numpy as np

from rnnbook.checks import CheckFailed, checker, describe, expect_close, passed

LAYER_KINDS = ("SimpleRNN", "LSTM", "GRU")


def expected_parameter_count(kind: str, units: int, features: int) -> int:
    """Trainable parameters of a Keras 3 recurrent layer with its default settings.

    Each gate (or the one transformation of SimpleRNN) has an input kernel
    ``features x units``, a recurrent kernel ``units x units`` and a bias ``units``;
    LSTM has four such blocks, GRU three, and Keras' GRU (``reset_after=True``, the
    default) keeps a second bias for the recurrent part of each block.
    """
    blocks = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}
    if kind not in blocks:
        raise ValueError(f"kind must be one of {', '.join(LAYER_KINDS)}, got {kind!r}")
    for name, value in (("units", units), ("features", features)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    biases = 2 if kind == "GRU" else 1
    return blocks[kind] * (units * features + units * units + biases * units)


@checker("a function count(kind, units, features) returning an int")
def check_parameter_count(student_count) -> None:
    """``student_count(kind, units, features)`` must match Keras' count for every layer kind."""
    cases = [(kind, units, features) for kind in LAYER_KINDS for units, features in ((20, 1), (7, 3))]
    for kind, units, features in cases:
        got = student_count(kind, units, features)
        expected = expected_parameter_count(kind, units, features)
        if got is None:
            raise CheckFailed(f"{kind}: the function returned None: did it forget to `return`?")
        if got != expected:
            hint = {
                "SimpleRNN": "one block: input kernel, recurrent kernel and a bias",
                "LSTM": "four blocks (input, forget and output gates, candidate)",
                "GRU": "three blocks (update and reset gates, candidate), each with TWO biases "
                "in Keras (reset_after=True)",
            }[kind]
            raise CheckFailed(
                f"{kind}({units}) on {features} feature(s): got {got}, expected {expected} ({hint})"
            )
    passed(f"your formula matches Keras for {len(cases)} layer sizes.")


def _expected_windows(series: np.ndarray, window: int):
    starts = np.arange(len(series) - window)
    x = series[starts[:, None] + np.arange(window)][:, :, None]
    y = series[starts + window][:, None]
    return x, y


@checker("a function make_windows(series, window) returning a pair (x, y) of arrays")
def check_make_windows(make_windows) -> None:
    """``make_windows(series, window)`` -> ``(x, y)``: every window and the value after it.

    ``x`` has shape ``(len(series) - window, window, 1)`` (batch, time, features) and
    ``y`` shape ``(len(series) - window, 1)``.
    """
    series = np.arange(10, 22, dtype=np.float32)  # values that show where each came from
    window = 4
    result = make_windows(series, window)
    if not isinstance(result, tuple) or len(result) != 2:
        raise CheckFailed(f"make_windows must return a pair (x, y), got {type(result).__name__}")
    x, y = result
    expected_x, expected_y = _expected_windows(series, window)
    x = np.asarray(x) if x is not None else None
    if x is not None and x.ndim == 2 and x.shape == expected_x.shape[:2]:
        raise CheckFailed(
            f"x has shape {x.shape}, expected {expected_x.shape}: add the feature axis "
            f"(batch, time, features) with x[..., None] or np.expand_dims(x, -1)"
        )
    if x is not None and x.shape == (expected_x.shape[0], 1, window):
        raise CheckFailed(
            f"x has shape {x.shape}, expected {expected_x.shape}: time and features are swapped; "
            f"the time axis comes second"
        )
    expect_close("x", x, expected_x)
    y = np.asarray(y) if y is not None else None
    if y is not None and y.shape == expected_y.shape[:1]:
        raise CheckFailed(f"y has shape {y.shape}, expected {expected_y.shape}: one column per target")
    expect_close("y", y, expected_y)
    passed(f"{len(series)} values, window {window}: x {expected_x.shape}, y {expected_y.shape}.")


def _batched(shape: tuple) -> str:
    return "(" + ", ".join(["batch", *map(str, shape)]) + ")"


def _expect_layer(model, class_name: str, units: int) -> None:
    layers = getattr(model, "layers", None)
    if layers is None:
        raise CheckFailed(f"expected a Keras model with a {class_name}({units}) layer; got {describe(model)}")
    found = [f"{type(x).__name__}({getattr(x, 'units', '')})" for x in layers]
    if not any(type(x).__name__ == class_name and getattr(x, "units", None) == units for x in layers):
        raise CheckFailed(
            f"the model needs a {class_name}({units}) layer; its layers are: {', '.join(found) or 'none'}"
        )


@checker("a Keras model (something callable on a batch of inputs)", answer="model")
def check_model_shapes(model, input_shape: tuple, target_shape: tuple, layer: tuple | None = None) -> None:
    """The model takes batches of ``input_shape`` and returns batches of ``target_shape``.

    Shapes exclude the batch axis, e.g. ``input_shape=(12, 3)`` and ``target_shape=(12, 1)``.
    With ``layer=("GRU", 16)`` the model must also contain that recurrent layer (class
    name and number of units), so an exercise that asks for a GRU is not passed by an
    LSTM or a Dense model of the right output shape.
    """
    if model is None:
        raise CheckFailed("model is None: did the function forget to `return` it?")
    if layer is not None:
        _expect_layer(model, *layer)
    input_shape, target_shape = tuple(input_shape), tuple(target_shape)
    batch = np.zeros((2, *input_shape), dtype=np.float32)
    try:
        output = np.asarray(model(batch))
    except Exception as error:  # the model's own error says what it expected
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise CheckFailed(
            f"the model cannot take inputs of shape {_batched(input_shape)}: {first_line}"
        ) from None
    got = output.shape[1:]
    if got == target_shape:
        passed(f"inputs {_batched(input_shape)} -> outputs {_batched(target_shape)}.")
        return
    hint = ""
    if len(target_shape) == 2 and got == target_shape[1:]:
        hint = ": one output per sequence, but the task needs one per step (return_sequences=True)"
    elif len(target_shape) == 1 and len(got) == 2 and got[1:] == target_shape:
        hint = ": one output per step, but the task needs one per sequence (drop return_sequences=True)"
    raise CheckFailed(f"the model outputs shape {_batched(got)}, expected {_batched(target_shape)}{hint}")


__all__ = ["check_make_windows", "check_model_shapes", "check_parameter_count", "expected_parameter_count"]
