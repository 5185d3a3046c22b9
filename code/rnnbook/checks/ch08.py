"""Checkers for chapter 8's exercises (Shakespeare generation)."""

from __future__ import annotations

import math

import numpy as np

from rnnbook.checks import CheckFailed, checker, expect_close, passed


def reference_temperature_probs(logits, temperature: float) -> np.ndarray:
    """softmax(logits / temperature) along the last axis, computed stably."""
    scaled = np.asarray(logits, dtype=np.float64) / temperature
    scaled -= scaled.max(axis=-1, keepdims=True)
    weights = np.exp(scaled)
    return weights / weights.sum(axis=-1, keepdims=True)


@checker("a function fn(logits, temperature) returning probabilities shaped like logits")
def check_temperature_probs(fn) -> None:
    """``fn(logits, temperature)`` must return softmax(logits / temperature) over the last axis."""
    rng = np.random.default_rng(8)
    cases = [
        (rng.normal(size=65) * 3, 1.0),
        (rng.normal(size=(4, 65)) * 3, 0.5),
        (rng.normal(size=(2, 10)), 1.5),
        (np.array([1000.0, 999.0, 0.0]), 1.0),
    ]
    for logits, temperature in cases:
        got = fn(logits.copy(), temperature)
        name = f"fn(logits of shape {logits.shape}, temperature={temperature})"
        if got is None:
            raise CheckFailed(f"{name} returned None: did the function forget to `return`?")
        got = np.asarray(got, dtype=np.float64)
        if got.shape == logits.shape and not np.all(np.isfinite(got)):
            raise CheckFailed(
                f"{name} contains NaN or infinity: subtract the largest logit "
                f"before np.exp so that large logits do not overflow"
            )
        if got.shape == logits.shape and not np.allclose(got.sum(axis=-1), 1, atol=1e-6):
            raise CheckFailed(f"{name}: each row must sum to 1, the sums are {got.sum(axis=-1)}")
        expect_close(name, got, reference_temperature_probs(logits, temperature), rtol=1e-5, atol=1e-7)
    passed("softmax(logits / T): T < 1 sharpens the distribution, T > 1 flattens it.")


@checker("a function fn(loss_nats) returning a pair (bits_per_char, perplexity)")
def check_loss_units(fn) -> None:
    """``fn(loss_nats)`` must return ``(bits_per_char, perplexity)``."""
    for loss in (math.log(65), 1.5, 0.0):
        got = fn(loss)
        if not isinstance(got, tuple | list) or len(got) != 2:
            raise CheckFailed(f"fn({loss:.4g}) returned {got!r}: expected a pair (bits_per_char, perplexity)")
        bits, perplexity = (float(v) for v in got)
        if math.isclose(bits, loss * math.log(2), rel_tol=1e-6) and loss > 0:
            raise CheckFailed(
                f"fn({loss:.4g}) gives {bits:.4g} bits: that multiplies by ln 2; "
                f"a bit is ln 2 nats, so divide by ln 2"
            )
        if not math.isclose(bits, loss / math.log(2), rel_tol=1e-6, abs_tol=1e-12):
            raise CheckFailed(
                f"fn({loss:.4g}) gives {bits:.6g} bits per character, expected "
                f"{loss / math.log(2):.6g} (nats / ln 2)"
            )
        if not math.isclose(perplexity, math.exp(loss), rel_tol=1e-6):
            raise CheckFailed(
                f"fn({loss:.4g}) gives perplexity {perplexity:.6g}, expected "
                f"{math.exp(loss):.6g} (e ** loss in nats, or 2 ** bits)"
            )
    passed("a loss of ln 65 nats is log2 65 = 6.02 bits and a perplexity of 65: the uniform guess.")
