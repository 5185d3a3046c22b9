"""rnnbook.windows: strided window views, next-character targets, the split and the memory arithmetic."""

import numpy as np
import pytest

from rnnbook import windows


def test_sliding_windows_are_a_read_only_view_of_the_ids():
    ids = np.arange(10, dtype=np.int32)
    view = windows.sliding_windows(ids, 4)
    assert view.shape == (7, 4)
    assert np.shares_memory(view, ids)
    assert not view.flags.writeable
    np.testing.assert_array_equal(view[2], [2, 3, 4, 5])
    np.testing.assert_array_equal(windows.sliding_windows(ids, 4, stride=3)[:, 0], [0, 3, 6])


def test_next_char_windows_shift_targets_by_one_and_copy_nothing():
    ids = np.arange(100, 112, dtype=np.int64)
    x, y = windows.next_char_windows(ids, 5)
    assert x.shape == y.shape == (7, 5)
    np.testing.assert_array_equal(y, x + 1)
    assert x[-1, -1] == ids[-2] and y[-1, -1] == ids[-1]  # every id is used, the last only as target
    assert np.shares_memory(x, ids) and np.shares_memory(y, ids)
    x, y = windows.next_char_windows(ids, 5, stride=5)
    np.testing.assert_array_equal(x[:, 0], [100, 105])


def test_last_char_targets_are_the_character_after_each_window():
    ids = np.arange(8)
    x, y = windows.last_char_targets(ids, 3)
    assert x.shape == (5, 3) and y.shape == (5,)
    np.testing.assert_array_equal(y, x[:, -1] + 1)


@pytest.mark.parametrize(
    "n_ids,length,stride,expected",
    [(10, 4, 1, 7), (10, 4, 3, 3), (3, 4, 1, 0), (1_115_394, 100, 1, 1_115_295)],
)
def test_count_windows_matches_the_view(n_ids, length, stride, expected):
    assert windows.count_windows(n_ids, length, stride) == expected
    if 0 < expected < 100:
        assert len(windows.sliding_windows(np.arange(n_ids), length, stride)) == expected


def test_split_ids_holds_out_the_contiguous_end():
    ids = np.arange(100)
    train, val = windows.split_ids(ids, 0.1)
    np.testing.assert_array_equal(train, np.arange(90))
    np.testing.assert_array_equal(val, np.arange(90, 100))


def test_one_hot_bytes_of_tiny_shakespeare():
    assert windows.one_hot_bytes(1_115_295, 100, 65) == 28_997_670_000
    assert windows.one_hot_bytes(0, 100, 65, itemsize=2) == 0


@pytest.mark.parametrize(
    "call,match",
    [
        (
            lambda: windows.sliding_windows(np.zeros((2, 3), int), 2),
            r"1-D array of integer character ids, got shape \(2, 3\) and dtype int64",
        ),
        (lambda: windows.sliding_windows(np.zeros(5), 2), r"got shape \(5,\) and dtype float64"),
        (lambda: windows.sliding_windows(np.arange(5), 0), "length must be a positive integer, got 0"),
        (lambda: windows.sliding_windows(np.arange(5), 2.5), "length must be a positive integer, got 2.5"),
        (
            lambda: windows.sliding_windows(np.arange(5), 2, stride=-1),
            "stride must be a positive integer, got -1",
        ),
        (lambda: windows.sliding_windows(np.arange(3), 4), "need at least 4 ids, got 3"),
        (lambda: windows.next_char_windows(np.arange(4), 4), "needs at least 5 ids, got 4"),
        (
            lambda: windows.next_char_windows(np.arange(4), True),
            "length must be a positive integer, got True",
        ),
        (lambda: windows.count_windows(-1, 3), "n_ids must be zero or more, got -1"),
        (lambda: windows.split_ids(np.arange(10), 1.0), "between 0 and 1 .*got 1.0"),
        (lambda: windows.split_ids(np.arange(3), 0.1), "3 ids are too few"),
        (lambda: windows.one_hot_bytes(-5, 10, 65), "n_windows must be an integer >= 0, got -5"),
        (lambda: windows.one_hot_bytes(5, 10, 0), "vocab_size must be a positive integer, got 0"),
        (lambda: windows.one_hot_bytes(5, 10, 65, itemsize=0), "itemsize must be a positive integer, got 0"),
    ],
)
def test_bad_arguments_say_what_was_expected_and_given(call, match):
    with pytest.raises(ValueError, match=match):
        call()
