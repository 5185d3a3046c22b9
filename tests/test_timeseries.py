"""rnnbook.timeseries: the synthetic series, windows and baselines of chapter 10."""

import numpy as np
import pytest

from rnnbook import timeseries as ts


def test_threshold_ar_follows_its_two_regimes():
    rng = np.random.default_rng(0)
    w = ts.threshold_ar(2000, rng, low=0.5, high=-0.9, noise=1.0)
    previous, current = w[:-1], w[1:]
    shocks = current - np.where(previous <= 0, 0.5, -0.9) * previous
    # The recovered shocks are the generator's standard normals (same seed).
    expected = np.random.default_rng(0).standard_normal(2000)[1:]
    np.testing.assert_allclose(shocks, expected, atol=1e-12)


def test_seasonal_series_is_trend_plus_sine_plus_noise():
    s = ts.seasonal_series(500, np.random.default_rng(1), period=50, amplitude=5.0, trend=0.01, noise=0.0)
    t = np.arange(500)
    np.testing.assert_allclose(s, 0.01 * t + 5 * np.sin(2 * np.pi * t / 50), atol=1e-12)
    assert ts.random_walk(10, np.random.default_rng(0)).shape == (10,)


def test_make_windows_values_and_start():
    series = np.arange(10.0)
    x, y = ts.make_windows(series, 3)
    assert x.shape == (7, 3) and y.shape == (7,)
    np.testing.assert_array_equal(x[0], [0, 1, 2])
    assert y[0] == 3 and y[-1] == 9
    x, y = ts.make_windows(series, 3, start=6)  # test part: inputs may reach back before start
    np.testing.assert_array_equal(x[0], [3, 4, 5])
    np.testing.assert_array_equal(y, [6, 7, 8, 9])
    x, y = ts.make_windows(series, 3, start=0, stop=6)
    np.testing.assert_array_equal(y, [3, 4, 5])


@pytest.mark.parametrize(
    "series,window,start,stop,match",
    [
        (np.zeros((4, 2)), 2, 0, None, r"series must be 1-D .*got shape \(4, 2\)"),
        (np.zeros(10), 0, 0, None, "window must be a positive integer, got 0"),
        (np.zeros(10), 2.5, 0, None, "window must be a positive integer, got 2.5"),
        (np.zeros(10), 2, 5, 3, "need 0 <= start < stop <= len"),
        (np.zeros(10), 20, 0, None, r"no target in \[0, 10\) has 20 values before it"),
    ],
)
def test_make_windows_rejects_bad_input(series, window, start, stop, match):
    with pytest.raises(ValueError, match=match):
        ts.make_windows(series, window, start, stop)


def test_relative_and_naive():
    x = np.array([[1.0, 2.0, 4.0], [0.0, 0.0, -1.0]])
    xr, yr = ts.relative(x, np.array([5.0, 1.0]))
    np.testing.assert_array_equal(xr, [[-3, -2, 0], [1, 1, 0]])
    np.testing.assert_array_equal(yr, [1, 2])
    np.testing.assert_array_equal(ts.naive_forecast(x), [4, -1])
    with pytest.raises(ValueError, match=r"y must have shape \(2,\)"):
        ts.relative(x, np.zeros(3))
    with pytest.raises(ValueError, match=r"x must have shape \(n, window\)"):
        ts.relative(np.zeros(3))
    with pytest.raises(ValueError, match="x must have shape"):
        ts.naive_forecast(np.zeros(3))


def test_linear_ar_recovers_an_ar2_process():
    rng = np.random.default_rng(2)
    s = np.zeros(3000)
    for t in range(2, 3000):
        s[t] = 1.0 + 0.6 * s[t - 1] - 0.2 * s[t - 2] + 0.1 * rng.standard_normal()
    model = ts.LinearAR().fit(*ts.make_windows(s, 2))
    np.testing.assert_allclose(model.coef_, [-0.2, 0.6], atol=0.03)
    assert abs(model.intercept_ - 1.0) < 0.05


def test_linear_ar_rejects_bad_input():
    with pytest.raises(ValueError, match="call fit before predict"):
        ts.LinearAR().predict(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="need x of shape"):
        ts.LinearAR().fit(np.zeros((5, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="need more windows than window length"):
        ts.LinearAR().fit(np.zeros((2, 3)), np.zeros(2))
    model = ts.LinearAR().fit(np.random.default_rng(0).random((10, 3)), np.zeros(10))
    with pytest.raises(ValueError, match=r"x must have shape \(n, 3\), got \(4, 2\)"):
        model.predict(np.zeros((4, 2)))


def test_mae():
    assert ts.mae([1, 2], [2, 0]) == 1.5
    with pytest.raises(ValueError, match="shapes differ"):
        ts.mae([1, 2], [[1, 2]])


def test_recursive_forecast_feeds_predictions_back():
    # "next = last + 1" continues a count; a window of 2 sees its own predictions after 2 steps.
    out = ts.recursive_forecast(lambda w: w[:, -1] + 1, np.array([[0.0, 1.0], [5.0, 7.0]]), 4)
    np.testing.assert_array_equal(out, [[2, 3, 4, 5], [8, 9, 10, 11]])
    # "next = mean of the window" uses both the given values and the fed-back ones.
    out = ts.recursive_forecast(lambda w: w.mean(axis=1), np.array([[0.0, 4.0]]), 2)
    np.testing.assert_array_equal(out, [[2.0, 3.0]])


def test_recursive_forecast_rejects_bad_input():
    with pytest.raises(ValueError, match="horizon must be a positive integer, got 0"):
        ts.recursive_forecast(lambda w: w[:, -1], np.zeros((1, 2)), 0)
    with pytest.raises(ValueError, match="history must have shape"):
        ts.recursive_forecast(lambda w: w[:, -1], np.zeros(2), 3)
    with pytest.raises(ValueError, match="predict_next must return 2 values"):
        ts.recursive_forecast(lambda w: w[:1, -1], np.zeros((2, 2)), 3)


def test_generators_reject_bad_sizes():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="n_steps must be a positive integer, got -5"):
        ts.seasonal_series(-5, rng)
    with pytest.raises(ValueError, match="period must be a positive integer, got 0"):
        ts.seasonal_series(10, rng, period=0)
    with pytest.raises(ValueError, match=r"coefficients must lie in \(-1, 1\)"):
        ts.threshold_ar(10, rng, low=1.2)
    with pytest.raises(ValueError, match="n_steps must be a positive integer"):
        ts.random_walk(0, rng)


def test_long_forecasts_show_progress_and_huge_ones_are_refused_up_front(monkeypatch, capsys):
    monkeypatch.setattr(ts, "PROGRESS_FROM", 10)
    ts.recursive_forecast(lambda x: x[:, -1], np.zeros((2, 3)), 12)
    assert "forecasting" in capsys.readouterr().err
    with pytest.raises(ValueError, match=r"horizon=10000000000 would need 149\.0 GiB for the forecasts"):
        ts.recursive_forecast(lambda x: x[:, -1], np.zeros((2, 3)), 10**10)
