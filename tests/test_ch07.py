"""Chapter 7's checkers: right answers pass, wrong ones get a specific message."""

import numpy as np
import pytest

from rnnbook.checks import CheckFailed, ch07

view = np.lib.stride_tricks.sliding_window_view


def right_windows(ids, length):
    return view(ids[:-1], length), view(ids[1:], length)


def test_windows_checker_accepts_a_right_answer(capsys):
    ch07.check_next_char_windows(right_windows)
    assert capsys.readouterr().out.startswith("Correct! 12 ids, length 4: 8 windows")


@pytest.mark.parametrize(
    "wrong,match",
    [
        (lambda ids, n: None, "returned None"),
        (lambda ids, n: view(ids, n), "must return a pair"),
        (
            lambda ids, n: (view(ids, n), view(ids, n)),
            r"inputs has shape \(9, 4\), expected \(8, 4\): one window too many",
        ),
        (lambda ids, n: (view(ids[:-1], n), view(ids[:-1], n)), "targets equal the inputs"),
        (
            lambda ids, n: (view(ids[:-2], n), view(ids[2:], n)),
            r"inputs has shape \(7, 4\), expected \(8, 4\)",
        ),
        (
            lambda ids, n: (view(ids[:-1], n), view(ids[1:], n) + 1),
            "inputs shifted by 2 characters, expected 1",
        ),
        (
            lambda ids, n: (view(ids[:-1], n), view(ids[1:], n)[::-1]),
            r"targets is wrong at index \(0, 0\): got 108",
        ),
        (
            lambda ids, n: (view(ids[:-1], n).copy(), view(ids[1:], n)),
            r"inputs has the right values but is a copy \(np.shares_memory",
        ),
        (
            lambda ids, n: (view(ids[:-1], n), view(ids[1:], n) + 0),
            "targets has the right values but is a copy",
        ),
    ],
)
def test_windows_checker_says_what_is_wrong(wrong, match):
    with pytest.raises(CheckFailed, match=match):
        ch07.check_next_char_windows(wrong)


def right_bytes(n_chars, length, vocab_size, itemsize):
    return (n_chars - length + 1) * length * vocab_size * itemsize


def test_one_hot_bytes_checker_accepts_a_right_answer(capsys):
    assert ch07.expected_one_hot_bytes(1_115_394, 100, 65, 4) == 28_997_670_000
    ch07.check_one_hot_bytes(right_bytes)
    assert "29.0 GB" in capsys.readouterr().out


@pytest.mark.parametrize(
    "wrong,match",
    [
        (
            lambda n, t, v, b: n * t * v * b,
            r"= 29,000,244,000, expected 28,997,670,000 "
            r"\(off by \+2,574,000 bytes, \+0.0089%\): you counted n_chars",
        ),
        (
            lambda n, t, v, b: (n - t) * t * v * b,
            r"off by -26,000 bytes, -0.0001%\): you counted n_chars - length windows",
        ),
        (lambda n, t, v, b: (n - t + 1) * t * v, "0.25 times the right value.*itemsize"),
        (lambda n, t, v, b: (n - t + 1) * t * v * b * 8, "that is bits, not bytes"),
        (lambda n, t, v, b: (n - t + 1) * t * b, "one-hot axis"),
        (lambda n, t, v, b: None, "returned None"),
    ],
)
def test_one_hot_bytes_checker_says_by_how_much(wrong, match):
    with pytest.raises(CheckFailed, match=match):
        ch07.check_one_hot_bytes(wrong)


def right_probabilities(logits, temperature):
    scaled = np.asarray(logits, dtype=float) / temperature
    weights = np.exp(scaled - scaled.max())
    return weights / weights.sum()


def test_temperature_checker_accepts_a_right_answer(capsys):
    ch07.check_temperature_probabilities(right_probabilities)
    assert capsys.readouterr().out.startswith("Correct!")


@pytest.mark.parametrize(
    "wrong,match",
    [
        (lambda z, t: np.exp(z / t), "sum to .* expected 1: divide by their sum"),
        (lambda z, t: right_probabilities(z, 1 / t), "multiplied the logits by the temperature"),
        (lambda z, t: np.exp(z / t) / np.exp(z / t).sum(), r"\[1000, 999, 990\] give NaN or infinity"),
        (lambda z, t: right_probabilities(z, t)[:2], r"shape \(2,\), expected \(4,\)"),
        (lambda z, t: right_probabilities(z, 1.0), "probabilities at temperature 0.5 is wrong"),
    ],
)
def test_temperature_checker_says_what_is_wrong(wrong, match):
    with np.errstate(over="ignore", invalid="ignore"), pytest.raises(CheckFailed, match=match):
        ch07.check_temperature_probabilities(wrong)
