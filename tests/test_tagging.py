"""The later-marker tagging task of chapter 9."""

import numpy as np
import pytest

from rnnbook.tagging import causal_ceiling, later_marker_probability, later_marker_tags, make_tagging_data


def test_tags_mark_positions_with_the_marker_strictly_later():
    ids = np.array([[3, 0, 2, 0, 1], [1, 2, 3, 1, 2], [0, 1, 1, 1, 1]])
    expected = [[1, 1, 1, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]]
    np.testing.assert_array_equal(later_marker_tags(ids, marker=0), expected)
    np.testing.assert_array_equal(later_marker_tags(ids, marker=2)[0], [1, 1, 0, 0, 0])


def test_tags_match_a_brute_force_loop():
    ids, tags = make_tagging_data(50, 12, 4, np.random.default_rng(0), marker=1)
    brute = [[int(1 in row[t + 1 :]) for t in range(len(row))] for row in ids.tolist()]
    np.testing.assert_array_equal(tags, brute)
    assert ids.dtype == np.int32 and tags.dtype == np.int32 and ids.shape == (50, 12)
    assert ids.min() >= 0 and ids.max() < 4


def test_probability_and_ceiling_match_a_monte_carlo_estimate():
    _, tags = make_tagging_data(20_000, 10, 5, np.random.default_rng(1))
    q = later_marker_probability(10, 5)
    np.testing.assert_allclose(tags.mean(axis=0), q, atol=0.015)
    assert q[-1] == 0 and np.all(np.diff(q) < 0)
    ceiling = causal_ceiling(10, 5)
    assert np.all(ceiling >= 0.5) and ceiling[-1] == 1.0
    np.testing.assert_allclose(ceiling, np.maximum(q, 1 - q))


@pytest.mark.parametrize(
    "args,match",
    [
        ((0, 5, 3), "n must be a positive integer, got 0"),
        ((4, -1, 3), "seq_len must be a positive integer, got -1"),
        ((4, 5, 1), "n_symbols must be at least 2"),
        ((4, 5, 2.5), "n_symbols must be a positive integer, got 2.5"),
    ],
)
def test_make_tagging_data_rejects_bad_sizes(args, match):
    with pytest.raises(ValueError, match=match):
        make_tagging_data(*args, rng=np.random.default_rng(0))


def test_make_tagging_data_rejects_a_marker_outside_the_alphabet():
    with pytest.raises(ValueError, match=r"marker must be a symbol id in \[0, 3\), got 3"):
        make_tagging_data(4, 5, 3, np.random.default_rng(0), marker=3)


@pytest.mark.parametrize("ids", [np.arange(5), np.zeros((2, 3)), np.zeros((2, 3, 1), dtype=int)])
def test_later_marker_tags_rejects_bad_shapes_and_types(ids):
    with pytest.raises(ValueError, match="ids must be a 2-D integer array"):
        later_marker_tags(ids)


@pytest.mark.parametrize("sizes", [(0, 4), (5, 0), (5, 1), (True, 3)])
def test_ceiling_rejects_bad_sizes(sizes):
    with pytest.raises(ValueError):
        causal_ceiling(*sizes)
