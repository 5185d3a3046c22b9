"""Chapter 10's checkers: right answers pass, wrong ones get a specific message."""

import numpy as np
import pytest

from rnnbook.checks import CheckFailed, ch10


def right_seasonal_naive(x, period):
    if period > x.shape[1]:
        raise ValueError("period longer than the window")
    return x[:, -period]


def test_seasonal_naive_checker(capsys):
    ch10.check_seasonal_naive(right_seasonal_naive)
    assert capsys.readouterr().out.startswith("Correct!")
    with pytest.raises(CheckFailed, match=r"seasonal_naive\(x, 1\) .*got .*expected .*x\[:, -1\]"):
        ch10.check_seasonal_naive(lambda x, period: x[:, -period - 1])
    with pytest.raises(CheckFailed, match=r"seasonal_naive\(x, 1\) has shape \(2, 1\), expected \(2,\)"):
        ch10.check_seasonal_naive(lambda x, period: x[:, -period:][:, :1])
    with pytest.raises(CheckFailed, match=r"seasonal_naive\(x, 11\) .*must raise ValueError"):
        ch10.check_seasonal_naive(lambda x, period: x[:, -min(period, x.shape[1])])
    with pytest.raises(CheckFailed, match="is None"):
        ch10.check_seasonal_naive(lambda x, period: None)


def right_pad_with_mask(sequences, length):
    ids = np.zeros((len(sequences), length), dtype=np.int32)
    for row, seq in enumerate(sequences):
        ids[row, : len(seq)] = seq
    return ids, ids != 0


def test_pad_with_mask_checker(capsys):
    ch10.check_pad_with_mask(right_pad_with_mask)
    assert capsys.readouterr().out.startswith("Correct!")

    def pre(sequences, length):
        ids = np.zeros((len(sequences), length), dtype=np.int32)
        for row, seq in enumerate(sequences):
            ids[row, length - len(seq) :] = seq
        return ids, ids != 0

    with pytest.raises(CheckFailed, match=r"padded at the front \('pre'\)"):
        ch10.check_pad_with_mask(pre)

    def variant(change_ids=None, change_mask=None):
        def pad_with_mask(sequences, length):
            ids, mask = right_pad_with_mask(sequences, length)
            return (change_ids or (lambda i: i))(ids), (change_mask or (lambda m: m))(mask)

        return pad_with_mask

    with pytest.raises(CheckFailed, match="mask is inverted"):
        ch10.check_pad_with_mask(variant(change_mask=lambda m: ~m))
    with pytest.raises(CheckFailed, match="mask must be boolean"):
        ch10.check_pad_with_mask(variant(change_mask=lambda m: m * 1))
    with pytest.raises(CheckFailed, match="ids must be integers"):
        ch10.check_pad_with_mask(variant(change_ids=lambda i: i * 1.0))
    with pytest.raises(CheckFailed, match=r"ids has shape \(3, 4\), expected \(3, 5\)"):
        ch10.check_pad_with_mask(lambda s, n: right_pad_with_mask(s, n - 1))
    with pytest.raises(CheckFailed, match="must return a pair"):
        ch10.check_pad_with_mask(lambda s, n: right_pad_with_mask(s, n)[0])


def right_init(table, old_vocab, new_chars, similar):
    rows = [table[old_vocab.index[similar[c]]] if c in similar else table.mean(axis=0) for c in new_chars]
    return np.concatenate([table, np.array(rows)])


def test_init_from_similar_checker(capsys):
    ch10.check_init_from_similar(right_init)
    assert capsys.readouterr().out.startswith("Correct!")

    def all_mean(table, old_vocab, new_chars, similar):
        return np.concatenate([table, np.repeat(table.mean(axis=0, keepdims=True), len(new_chars), 0)])

    with pytest.raises(CheckFailed, match=r"row 4 \('’'\) is .*expected .*the row of \"'\""):
        ch10.check_init_from_similar(all_mean)

    def zeros_for_unknown(table, old_vocab, new_chars, similar):
        rows = [table[old_vocab.index[similar[c]]] if c in similar else np.zeros(2) for c in new_chars]
        return np.concatenate([table, np.array(rows)])

    with pytest.raises(CheckFailed, match=r"row 6 \('_'\) .*the mean of the old rows"):
        ch10.check_init_from_similar(zeros_for_unknown)

    def overwrites(table, old_vocab, new_chars, similar):
        out = right_init(table, old_vocab, new_chars, similar)
        out[0] = 0
        return out

    with pytest.raises(CheckFailed, match="the old rows changed"):
        ch10.check_init_from_similar(overwrites)
    with pytest.raises(CheckFailed, match=r"has shape \(4, 2\), expected \(7, 2\)"):
        ch10.check_init_from_similar(lambda table, *rest: table)
