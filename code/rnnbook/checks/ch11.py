"""Checkers for chapter 11 (sequence to sequence): masked attention weights, a beam-search step.

NumPy only.
"""

from __future__ import annotations

import numpy as np

from rnnbook.checks import CheckFailed, checker, expect_close, expect_shape, passed


def _reference_masked_softmax(scores: np.ndarray, valid: np.ndarray) -> np.ndarray:
    scores = np.where(valid, scores, -np.inf)  # padding: exp(-inf) = 0
    weights = np.exp(scores - scores.max(axis=1, keepdims=True))
    return weights / weights.sum(axis=1, keepdims=True)


def _softmax_cases():
    rng = np.random.default_rng(11)
    scores = rng.normal(size=(3, 6))
    valid = np.arange(6)[None, :] < np.array([[6], [4], [1]])  # 6, 4 and 1 real inputs
    large = np.array([[1000.0, 990.0, 5.0, 2000.0]])  # the largest score is on padding
    return [
        ("random scores with padding", scores, valid),
        ("large scores (1000, 990, ...), padding last", large, np.array([[True, True, True, False]])),
    ]


@checker("a function masked_softmax(scores, valid) returning weights of shape (n, T)")
def check_masked_softmax(masked_softmax) -> None:
    """``masked_softmax(scores (n, T), valid (n, T) bool)`` -> weights ``(n, T)``, 0 on padding."""
    for case, scores, valid in _softmax_cases():
        got = masked_softmax(scores.copy(), valid.copy())
        expected = _reference_masked_softmax(scores, valid)
        got = expect_shape(f"{case}: the weights", got, expected.shape)
        if not np.all(np.isfinite(got)):
            raise CheckFailed(
                f"{case}: the weights contain NaN or infinity: exp() of a large score overflows; "
                f"subtract each row's largest (valid) score before exponentiating"
            )
        on_padding = np.abs(got[~valid]).max(initial=0.0)
        if on_padding > 1e-9:
            raise CheckFailed(
                f"{case}: padding positions get weight up to {on_padding:.3g}; they must get exactly 0: "
                f"set their scores to -inf before the softmax (a score of 0 still gets weight)"
            )
        sums = got.sum(axis=1)
        if not np.allclose(sums, 1.0, atol=1e-6):
            row = int(np.argmax(np.abs(sums - 1.0)))
            raise CheckFailed(
                f"{case}: the weights of row {row} sum to {sums[row]:.4g}, not 1: zeroing the padding "
                f"after the softmax leaves the valid weights unnormalised; mask the scores before it"
            )
        expect_close(f"{case}: the weights", got, expected, rtol=1e-6, atol=1e-9)
    passed("padding gets no weight, the rest sums to 1, large scores are safe.")


def _reference_beam_step(scores, log_probs, beam_width):
    candidates = (scores[:, None] + log_probs).ravel()
    best = np.argsort(-candidates, kind="stable")[:beam_width]
    vocab_size = log_probs.shape[1]
    return best // vocab_size, best % vocab_size, candidates[best]


def _beam_cases():
    # Hand-made: the best single next character (-0.05 after prefix 1) is not on the best
    # whole prefix; prefix 0's runner-up (-1.2 - 0.5) beats prefix 1's best (-3.0 - 0.05).
    scores = np.array([-1.2, -3.0])
    log_probs = np.log(np.array([[0.55, 0.25, 0.2], [0.02, 0.03, 0.95]]))
    rng = np.random.default_rng(11)
    logits = rng.normal(size=(4, 7)) * 2.0
    random_log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return [
        ("two prefixes, three characters, width 3", scores, log_probs, 3),
        (
            "four prefixes, seven characters, width 4",
            np.sort(rng.normal(size=4))[::-1] - 2.0,
            random_log_probs,
            4,
        ),
    ]


@checker("a function beam_step(scores, log_probs, beam_width) returning (parents, tokens, new_scores)")
def check_beam_step(beam_step) -> None:
    """``beam_step(scores (k,), log_probs (k, V), beam_width)`` -> ``(parents, tokens, new_scores)``."""
    for case, scores, log_probs, width in _beam_cases():
        result = beam_step(scores.copy(), log_probs.copy(), width)
        if result is None:
            raise CheckFailed(f"{case}: beam_step returned None: did it forget to `return` the triple?")
        if not isinstance(result, tuple) or len(result) != 3:
            raise CheckFailed(f"{case}: beam_step must return a triple (parents, tokens, new_scores)")
        parents, tokens, new_scores = (
            expect_shape(f"{case}: {name}", value, (width,))
            for name, value in zip(("parents", "tokens", "new_scores"), result, strict=True)
        )
        want_parents, want_tokens, want_scores = _reference_beam_step(scores, log_probs, width)
        if (
            np.any(parents < 0)
            or np.any(parents >= len(scores))
            or np.any(tokens < 0)
            or np.any(tokens >= log_probs.shape[1])
        ):
            raise CheckFailed(
                f"{case}: parents must be prefix indices 0..{len(scores) - 1} and tokens character ids "
                f"0..{log_probs.shape[1] - 1}; got parents {parents.tolist()}, tokens {tokens.tolist()}"
            )
        if not np.allclose(new_scores, scores[parents] + log_probs[parents, tokens]):
            raise CheckFailed(
                f"{case}: each new score must be its prefix's score plus the log-probability of the "
                f"added character; got {np.round(new_scores, 4).tolist()}"
            )
        if not np.allclose(np.sort(new_scores)[::-1], want_scores):
            step_only = np.sort(log_probs.ravel())[::-1][:width]
            if np.allclose(np.sort(log_probs[parents, tokens])[::-1], step_only):
                raise CheckFailed(
                    f"{case}: the candidates were ranked by the next character's log-probability alone; "
                    f"rank by the whole prefix: its score plus the character's log-probability"
                )
            raise CheckFailed(
                f"{case}: these are not the {width} best of all {log_probs.size} extensions (prefix x "
                f"character): the new scores should be {np.round(want_scores, 4).tolist()}, got "
                f"{np.round(new_scores, 4).tolist()}; take the top {width} over all of them, not within "
                f"each prefix"
            )
        if np.any(np.diff(new_scores) > 1e-12):
            raise CheckFailed(f"{case}: return the candidates best first (new_scores in decreasing order)")
        expect_close(f"{case}: parents", parents, want_parents)
        expect_close(f"{case}: tokens", tokens, want_tokens)
    passed("the best extensions of all prefixes by total log-probability.")


__all__ = ["check_beam_step", "check_masked_softmax"]
