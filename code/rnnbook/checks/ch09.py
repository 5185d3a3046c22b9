"""Checkers for chapter 9 (deeper, bidirectional and attention models). NumPy only."""

from __future__ import annotations

import numpy as np

from rnnbook.checks import CheckFailed, checker, expect_close, expect_shape, passed
from rnnbook.tagging import causal_ceiling


def _reference_attention_pool(scores: np.ndarray, values: np.ndarray):
    shifted = scores - scores.max(axis=1, keepdims=True)  # exp of large scores would overflow
    weights = np.exp(shifted)
    weights /= weights.sum(axis=1, keepdims=True)
    return np.einsum("bt,btd->bd", weights, values), weights


def _attention_cases():
    rng = np.random.default_rng(9)
    small = (rng.normal(size=(3, 5)), rng.normal(size=(3, 5, 4)))
    large = (np.array([[1000.0, 990.0, 0.0, -5.0]]), rng.normal(size=(1, 4, 2)))
    return [("random scores", *small), ("large scores (1000, 990, ...)", *large)]


@checker("a function attention_pool(scores, values) returning a pair (pooled (n, d), weights (n, T))")
def check_attention_pool(attention_pool) -> None:
    """``attention_pool(scores (n, T), values (n, T, d))`` -> ``(pooled (n, d), weights (n, T))``."""
    for case, scores, values in _attention_cases():
        result = attention_pool(scores.copy(), values.copy())
        if not isinstance(result, tuple) or len(result) != 2:
            raise CheckFailed(
                f"{case}: attention_pool must return a pair (pooled, weights), got {type(result).__name__}"
            )
        pooled, weights = result
        expected_pooled, expected_weights = _reference_attention_pool(scores, values)
        weights = expect_shape(f"{case}: weights", weights, expected_weights.shape)
        if not np.all(np.isfinite(weights)):
            raise CheckFailed(
                f"{case}: the weights contain NaN or infinity: exp() of a large score overflows; "
                f"subtract each row's largest score before exponentiating"
            )
        sums = weights.sum(axis=1)
        if not np.allclose(sums, 1.0, atol=1e-6):
            raise CheckFailed(
                f"{case}: the weights of a sequence must sum to 1 over time (axis 1), "
                f"but the first sums to {sums[0]:.4g}: is the softmax taken over the right axis?"
            )
        expect_close(f"{case}: weights", weights, expected_weights, rtol=1e-5, atol=1e-8)
        expect_close(f"{case}: pooled", pooled, expected_pooled, rtol=1e-5, atol=1e-8)
    passed("softmax over time, stable for large scores, and the weighted sum of the values.")


@checker("a function ceiling(seq_len, n_symbols) returning an array of shape (seq_len,)")
def check_causal_ceiling(student_ceiling) -> None:
    """``student_ceiling(seq_len, n_symbols)`` -> best per-position accuracy of a causal tagger."""
    for seq_len, n_symbols in ((24, 8), (5, 2), (1, 3)):
        got = student_ceiling(seq_len, n_symbols)
        expected = causal_ceiling(seq_len, n_symbols)
        got = expect_shape(f"the ceiling for seq_len={seq_len}", got, expected.shape)
        if np.allclose(got, causal_ceiling(seq_len + 1, n_symbols)[:-1]):
            raise CheckFailed(
                f"seq_len={seq_len}, n_symbols={n_symbols}: off by one position: the last position "
                f"has no position after it, so its tag is always 0 and its ceiling is 1"
            )
        q = 1.0 - (1.0 - 1.0 / n_symbols) ** (seq_len - 1 - np.arange(seq_len))
        if not np.allclose(got, expected) and np.allclose(got, q):
            raise CheckFailed(
                f"seq_len={seq_len}, n_symbols={n_symbols}: that is the probability of tag 1; "
                f"the best guess is the more likely tag, right with probability max(q, 1 - q)"
            )
        expect_close(f"the ceiling for seq_len={seq_len}, n_symbols={n_symbols}", got, expected)
    passed("a tagger that sees only the past can do no better than max(q_t, 1 - q_t).")


__all__ = ["check_attention_pool", "check_causal_ceiling"]
