"""Chapter 9's checkers: right answers pass, wrong ones get a specific message."""

import numpy as np
import pytest

from rnnbook.checks import CheckFailed, ch09


def stable_pool(scores, values):
    weights = np.exp(scores - scores.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)
    return (weights[..., None] * values).sum(axis=1), weights


def test_attention_pool_checker_accepts_a_right_answer(capsys):
    ch09.check_attention_pool(stable_pool)
    assert capsys.readouterr().out.startswith("Correct!")


def test_attention_pool_checker_names_the_mistake():
    def naive(scores, values):
        with np.errstate(over="ignore", invalid="ignore"):
            weights = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
        return (weights[..., None] * values).sum(axis=1), weights

    def wrong_axis(scores, values):
        weights = np.exp(scores) / np.exp(scores).sum(axis=0, keepdims=True)
        return (weights[..., None] * values).sum(axis=1), weights

    def mean_not_sum(scores, values):
        pooled, weights = stable_pool(scores, values)
        return pooled / scores.shape[1], weights

    with pytest.raises(CheckFailed, match="large scores.*NaN or infinity.*subtract"):
        ch09.check_attention_pool(naive)
    with pytest.raises(CheckFailed, match="random scores: the weights of a sequence must sum to 1"):
        ch09.check_attention_pool(wrong_axis)
    with pytest.raises(CheckFailed, match="random scores: pooled is wrong at index"):
        ch09.check_attention_pool(mean_not_sum)
    with pytest.raises(CheckFailed, match="must return a pair"):
        ch09.check_attention_pool(lambda scores, values: stable_pool(scores, values)[0])
    with pytest.raises(CheckFailed, match=r"weights has shape \(5,\), expected \(3, 5\)"):
        ch09.check_attention_pool(lambda s, v: (stable_pool(s, v)[0], stable_pool(s, v)[1][0]))


def right_ceiling(seq_len, n_symbols):
    q = 1 - (1 - 1 / n_symbols) ** (seq_len - 1 - np.arange(seq_len))
    return np.maximum(q, 1 - q)


def test_causal_ceiling_checker(capsys):
    ch09.check_causal_ceiling(right_ceiling)
    assert capsys.readouterr().out.startswith("Correct!")

    def off_by_one(seq_len, n_symbols):
        q = 1 - (1 - 1 / n_symbols) ** (seq_len - np.arange(seq_len))
        return np.maximum(q, 1 - q)

    def probability_only(seq_len, n_symbols):
        return 1 - (1 - 1 / n_symbols) ** (seq_len - 1 - np.arange(seq_len))

    with pytest.raises(CheckFailed, match="off by one position"):
        ch09.check_causal_ceiling(off_by_one)
    with pytest.raises(CheckFailed, match=r"probability of tag 1.*max\(q, 1 - q\)"):
        ch09.check_causal_ceiling(probability_only)
    with pytest.raises(CheckFailed, match="is None"):
        ch09.check_causal_ceiling(lambda seq_len, n_symbols: None)
    with pytest.raises(CheckFailed, match="is wrong at index"):
        ch09.check_causal_ceiling(lambda seq_len, n_symbols: np.full(seq_len, 0.5))
