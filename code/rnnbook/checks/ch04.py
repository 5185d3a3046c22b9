"""Checkers for chapter 4 (a character-level RNN in NumPy)."""

from __future__ import annotations

import numpy as np

from rnnbook.checks import CheckFailed, checker, describe, expect_close, expect_shape, passed
from rnnbook.numpy_rnn import softmax, softmax_cross_entropy


def _logits(shape, seed: int = 0, scale: float = 3.0) -> np.ndarray:
    return scale * np.random.default_rng(seed).standard_normal(shape)


@checker("a function temperature_softmax(logits, temperature) returning probabilities shaped like logits")
def check_temperature_softmax(temperature_softmax) -> None:
    """``temperature_softmax(logits, temperature)``: softmax(logits / T) over the last axis,
    numerically stable, ValueError for T <= 0."""
    logits = _logits((4, 65))
    for temperature in (1.0, 0.5, 2.0):
        got = expect_shape(
            f"temperature_softmax(logits of shape (4, 65), {temperature})",
            temperature_softmax(logits, temperature),
            logits.shape,
        )
        sums = got.sum(axis=-1)
        if not np.allclose(sums, 1.0):
            if np.isclose(got.sum(), 1.0):
                raise CheckFailed(
                    "the probabilities sum to 1 over the whole array, not per row: "
                    "normalise over the last axis (the characters), axis=-1"
                )
            raise CheckFailed(f"each row must sum to 1, but the rows sum to {np.round(sums, 4).tolist()}")
        if temperature != 1.0 and np.allclose(got, softmax(logits * temperature)):
            raise CheckFailed(
                f"at temperature {temperature} you multiplied the logits by the temperature; "
                "divide them by it (a low temperature must sharpen the distribution)"
            )
        if temperature != 1.0 and np.allclose(got, softmax(logits)):
            raise CheckFailed(
                f"at temperature {temperature} the result equals the plain softmax: "
                "the temperature is ignored"
            )
        expect_close(f"temperature_softmax(logits, {temperature})", got, softmax(logits, temperature))
    huge = np.array([1000.0, 999.0, 0.0])
    with np.errstate(all="ignore"):
        got = np.asarray(temperature_softmax(huge, 1.0), dtype=float)
    if not np.all(np.isfinite(got)):
        raise CheckFailed(
            "logits [1000, 999, 0] give NaN or infinity: exp(1000) overflows; subtract "
            "the largest logit of each row before exponentiating (it cancels out)"
        )
    expect_close("temperature_softmax([1000, 999, 0], 1.0)", got, softmax(huge))
    for bad in (0.0, -1.0):
        try:
            temperature_softmax.raw(logits, bad)  # unwrapped: this call is meant to raise
        except ValueError:
            continue
        raise CheckFailed(
            f"temperature {bad} must raise ValueError (the temperature must be > 0), "
            "but the function returned"
        )
    passed("rows sum to 1, low temperatures sharpen, high ones flatten, large logits are safe.")


@checker("a function cross_entropy_and_grad(logits, targets) returning a pair (loss, dlogits)")
def check_cross_entropy_and_grad(cross_entropy_and_grad) -> None:
    """``cross_entropy_and_grad(logits, targets)`` -> (mean loss in nats, dloss/dlogits)."""
    logits = _logits((3, 5, 7), seed=1, scale=1.0)
    targets = np.random.default_rng(2).integers(0, 7, size=(3, 5))
    result = cross_entropy_and_grad(logits, targets)
    if not isinstance(result, tuple) or len(result) != 2:
        raise CheckFailed(f"return a pair (loss, dlogits); got {describe(result)}")
    loss, dlogits = result
    expected_loss, expected_grad = softmax_cross_entropy(logits, targets)
    n = targets.size
    loss = float(np.asarray(loss))
    if np.isclose(loss, expected_loss * n):
        raise CheckFailed(f"the loss is the sum over the {n} predictions; take the mean")
    if np.isclose(loss, expected_loss / np.log(2)):
        raise CheckFailed("the loss is in bits (log base 2); use the natural log: the book trains in nats")
    if not np.isclose(loss, expected_loss):
        raise CheckFailed(
            f"the loss is {loss:.6g}, expected {expected_loss:.6g} "
            "(mean of -ln p[target] over all predictions)"
        )
    dlogits = expect_shape("dlogits", dlogits, logits.shape)
    probs = softmax(logits)
    if np.allclose(dlogits, -expected_grad):
        raise CheckFailed("dlogits has the wrong sign: it is p - onehot(target), not onehot(target) - p")
    if np.allclose(dlogits, expected_grad * n):
        raise CheckFailed(
            f"dlogits is the gradient of the summed loss; divide by the {n} predictions "
            "because the loss is their mean"
        )
    if np.allclose(dlogits, probs / n) or np.allclose(dlogits, probs):
        raise CheckFailed("dlogits equals the probabilities: subtract 1 at each target character")
    expect_close("dlogits", dlogits, expected_grad)
    passed("the loss is the mean in nats and dlogits = (p - onehot(target)) / N.")
