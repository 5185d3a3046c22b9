"""Chapter 11's checkers: right answers pass, wrong ones (near misses included) get a specific message."""

import numpy as np
import pytest

from rnnbook.checks import CheckFailed, ch11


def right_masked_softmax(scores, valid):
    scores = np.where(valid, scores, -np.inf)
    weights = np.exp(scores - scores.max(axis=1, keepdims=True))
    return weights / weights.sum(axis=1, keepdims=True)


def test_masked_softmax_checker_accepts_a_right_answer(capsys):
    ch11.check_masked_softmax(right_masked_softmax)
    assert capsys.readouterr().out.startswith("Correct!")


def test_masked_softmax_checker_names_the_mistake():
    def zero_after_softmax(scores, valid):  # the near miss: mask after normalising
        weights = np.exp(scores - scores.max(axis=1, keepdims=True))
        return weights / weights.sum(axis=1, keepdims=True) * valid

    def multiply_scores(scores, valid):  # padding scores set to 0 still get weight
        return right_masked_softmax(scores * valid, np.ones_like(valid))

    def overflowing(scores, valid):
        with np.errstate(over="ignore", invalid="ignore"):
            weights = np.exp(np.where(valid, scores, -np.inf))
            return weights / weights.sum(axis=1, keepdims=True)

    def wrong_axis(scores, valid):
        weights = np.exp(np.where(valid, scores, -np.inf) - scores.max())
        return weights / weights.sum(axis=0, keepdims=True)

    with pytest.raises(CheckFailed, match="row .* sum to .*not 1.*mask the scores before"):
        ch11.check_masked_softmax(zero_after_softmax)
    with pytest.raises(CheckFailed, match="padding positions get weight"):
        ch11.check_masked_softmax(multiply_scores)
    with pytest.raises(CheckFailed, match="large scores.*NaN or infinity"):
        ch11.check_masked_softmax(overflowing)
    with pytest.raises(CheckFailed, match="sum to"):
        ch11.check_masked_softmax(wrong_axis)
    with pytest.raises(CheckFailed, match="has shape"):
        ch11.check_masked_softmax(lambda s, v: right_masked_softmax(s, v)[0])
    with pytest.raises(CheckFailed, match="None"):
        ch11.check_masked_softmax(lambda s, v: None)


def right_beam_step(scores, log_probs, beam_width):
    candidates = (scores[:, None] + log_probs).ravel()
    best = np.argsort(-candidates)[:beam_width]
    return best // log_probs.shape[1], best % log_probs.shape[1], candidates[best]


def test_beam_step_checker_accepts_a_right_answer(capsys):
    ch11.check_beam_step(right_beam_step)
    assert capsys.readouterr().out.startswith("Correct!")


def test_beam_step_checker_names_the_mistake():
    def step_only(scores, log_probs, beam_width):  # the near miss: ranks by the step alone
        flat = log_probs.ravel()
        best = np.argsort(-flat)[:beam_width]
        parents, tokens = best // log_probs.shape[1], best % log_probs.shape[1]
        return parents, tokens, scores[parents] + flat[best]

    def within_each_prefix(scores, log_probs, beam_width):  # top per prefix, then the first ones
        per_prefix = np.argsort(-log_probs, axis=1)[:, :beam_width]
        parents = np.repeat(np.arange(len(scores)), beam_width)[:beam_width]
        tokens = per_prefix.ravel()[:beam_width]
        return parents, tokens, scores[parents] + log_probs[parents, tokens]

    def worst_first(scores, log_probs, beam_width):
        return tuple(a[::-1] for a in right_beam_step(scores, log_probs, beam_width))

    def forgets_prefix_score(scores, log_probs, beam_width):
        parents, tokens, _ = right_beam_step(scores, log_probs, beam_width)
        return parents, tokens, log_probs[parents, tokens]

    with pytest.raises(CheckFailed, match="ranked by the next character's log-probability alone"):
        ch11.check_beam_step(step_only)
    with pytest.raises(CheckFailed, match=r"not the \d best of all \d+ extensions.*not within each prefix"):
        ch11.check_beam_step(within_each_prefix)
    with pytest.raises(CheckFailed, match="best first"):
        ch11.check_beam_step(worst_first)
    with pytest.raises(CheckFailed, match="prefix's score plus"):
        ch11.check_beam_step(forgets_prefix_score)
    with pytest.raises(CheckFailed, match="must return a triple"):
        ch11.check_beam_step(lambda s, lp, w: right_beam_step(s, lp, w)[:2])
    with pytest.raises(CheckFailed, match="prefix indices"):
        ch11.check_beam_step(lambda s, lp, w: (np.full(w, 9), *right_beam_step(s, lp, w)[1:]))
