"""Chapter 2: the sum-of-a-sequence data and the batch-BPTT checker."""

import numpy as np
import pytest

from rnnbook import numpy_rnn as rnn
from rnnbook.checks import CheckFailed
from rnnbook.checks.ch02 import check_batch_bptt
from rnnbook.sumdata import make_sum_data, mean_baseline_mse

# --- make_sum_data ---------------------------------------------------------------------


def test_sum_data_shapes_range_and_targets():
    x, y = make_sum_data(200, 7, np.random.default_rng(0))
    assert x.shape == (200, 7, 1) and y.shape == (200, 1)
    assert x.dtype == y.dtype == np.float64
    assert x.min() >= 0.0 and x.max() < 1.0
    np.testing.assert_array_equal(y, x.sum(axis=1))


def test_sum_data_float32_for_keras():
    x, y = make_sum_data(10, 5, np.random.default_rng(0), dtype=np.float32)
    assert x.dtype == y.dtype == np.float32
    np.testing.assert_array_equal(y, x.sum(axis=1))


def test_sum_data_is_seeded_and_differs_between_seeds():
    a, _ = make_sum_data(5, 4, np.random.default_rng(3))
    b, _ = make_sum_data(5, 4, np.random.default_rng(3))
    c, _ = make_sum_data(5, 4, np.random.default_rng(4))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_sum_data_variance_matches_the_baseline():
    _, y = make_sum_data(50_000, 5, np.random.default_rng(1))
    assert mean_baseline_mse(5) == pytest.approx(5 / 12)
    assert np.mean((y - 2.5) ** 2) == pytest.approx(mean_baseline_mse(5), rel=0.03)


@pytest.mark.parametrize(
    "n,seq_len,match",
    [
        (0, 5, "n must be a positive integer, got 0"),
        (-3, 5, "n must be a positive integer, got -3"),
        (10, 0, "seq_len must be a positive integer, got 0"),
        (10, 2.5, "seq_len must be a positive integer, got 2.5"),
        (True, 5, "n must be a positive integer, got True"),
    ],
)
def test_sum_data_rejects_bad_sizes(n, seq_len, match):
    with pytest.raises(ValueError, match=match):
        make_sum_data(n, seq_len, np.random.default_rng(0))


def test_sum_data_rejects_a_seed_instead_of_a_generator_and_integer_dtypes():
    with pytest.raises(TypeError, match="numpy.random.Generator .*got int"):
        make_sum_data(10, 5, 42)
    with pytest.raises(ValueError, match="floating-point .*got int32"):
        make_sum_data(10, 5, np.random.default_rng(0), dtype=np.int32)
    with pytest.raises(ValueError, match="seq_len must be a positive integer"):
        mean_baseline_mse(0)


# --- check_batch_bptt --------------------------------------------------------------------


def reference(params, xs, hs, dys):
    return rnn.backward(params, xs, hs, dys)[0]


def good_loop(params, xs, hs, dys, whh_state_offset=1, sum_by_over_batch=True, through_tanh=True):
    """A correct batch BPTT; the keyword arguments plant bugs."""
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    from_next = np.zeros_like(hs[:, 0])
    for t in range(xs.shape[1], 0, -1):
        d = dys[:, t - 1]
        grads["Why"] += hs[:, t].T @ d
        grads["by"] += d.sum(axis=0) if sum_by_over_batch else d[0]
        g = d @ params["Why"].T + from_next
        if through_tanh:
            g = g * (1.0 - hs[:, t] ** 2)
        grads["Wxh"] += xs[:, t - 1].T @ g
        grads["Whh"] += hs[:, t - whh_state_offset].T @ g
        grads["bh"] += g.sum(axis=0)
        from_next = g @ params["Whh"].T
    return grads


def test_checker_accepts_an_independent_loop_and_the_library(capsys):
    check_batch_bptt(reference)
    check_batch_bptt(good_loop)
    assert capsys.readouterr().out.count("Correct!") == 2


def test_checker_names_whh_when_it_uses_the_state_after_the_step():
    with pytest.raises(
        CheckFailed, match=r"grads\['Whh'\] is wrong: .*state \*entering\* step t \(hs\[:, t - 1\]\)"
    ):
        check_batch_bptt(lambda *a: good_loop(*a, whh_state_offset=0))


def test_checker_names_by_when_the_batch_is_not_summed():
    # Passes the batch-of-one case, fails on the first real batch, and says so.
    with pytest.raises(CheckFailed, match=r"grads\['by'\] is wrong.*batch of 4 sequence\(s\)"):
        check_batch_bptt(lambda *a: good_loop(*a, sum_by_over_batch=False))


def test_checker_catches_a_missing_tanh_derivative():
    with pytest.raises(CheckFailed, match=r"grads\['Wxh'\] is wrong: relative error .*through tanh"):
        check_batch_bptt(lambda *a: good_loop(*a, through_tanh=False))


def test_checker_messages_for_malformed_answers():
    with pytest.raises(CheckFailed, match="returned None"):
        check_batch_bptt(lambda *a: None)
    with pytest.raises(CheckFailed, match="must return a dict .*got list"):
        check_batch_bptt(lambda *a: list(reference(*a).values()))
    with pytest.raises(CheckFailed, match=r"no gradient for 'by'"):
        check_batch_bptt(lambda *a: {k: v for k, v in reference(*a).items() if k != "by"})
    with pytest.raises(CheckFailed, match=r"grads\['bh'\] has shape \(1, 3\), expected \(3,\)"):
        check_batch_bptt(lambda *a: {**reference(*a), "bh": reference(*a)["bh"][None]})
    with pytest.raises(CheckFailed, match=r"grads\['Whh'\] contains NaN"):
        check_batch_bptt(lambda *a: {**reference(*a), "Whh": np.full_like(a[0]["Whh"], np.nan)})


def test_checker_refuses_answers_that_change_their_inputs():
    def scales_dys_in_place(params, xs, hs, dys):
        dys *= 1.0 + 1e-3
        return reference(params, xs, hs, dys / (1.0 + 1e-3))

    with pytest.raises(CheckFailed, match="changed its input 'dys' in place"):
        check_batch_bptt(scales_dys_in_place)

    def steps_the_weights(params, xs, hs, dys):
        grads = reference(params, xs, hs, dys)
        params["Whh"] -= 0.1 * grads["Whh"]
        return grads

    with pytest.raises(CheckFailed, match="changed its input 'Whh' in place"):
        check_batch_bptt(steps_the_weights)
