import numpy as np
import pytest

from rnnbook.tasks import adding_problem


def test_adding_problem_marks_two_positions_and_sums_them():
    x, y = adding_problem(50, 12, np.random.default_rng(0))
    assert x.shape == (50, 12, 2) and y.shape == (50, 1)
    assert x.dtype == np.float32
    np.testing.assert_array_equal(x[:, :, 1].sum(axis=1), 2)
    assert (x[:, :6, 1].sum(axis=1) == 1).all()  # one marker in each half
    np.testing.assert_allclose(y[:, 0], (x[:, :, 0] * x[:, :, 1]).sum(axis=1), rtol=1e-6)


def test_adding_problem_is_seeded():
    a = adding_problem(5, 8, np.random.default_rng(3))
    b = adding_problem(5, 8, np.random.default_rng(3))
    np.testing.assert_array_equal(a[0], b[0])


@pytest.mark.parametrize("n,seq_len,match", [(0, 10, "n must"), (5, 1, "at least 2"), (5, 2.5, "seq_len")])
def test_adding_problem_rejects_bad_sizes(n, seq_len, match):
    with pytest.raises(ValueError, match=match):
        adding_problem(n, seq_len, np.random.default_rng(0))
