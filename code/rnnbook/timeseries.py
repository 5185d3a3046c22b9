"""Time series for chapter 10: a synthetic seasonal series, windows, and two baselines.

The series is ``trend + season + weather``: a straight line, a sine of period ``period``,
and a *threshold autoregression* (Tong's SETAR model) for the day-to-day deviations.
The threshold makes the deviations nonlinear: below zero they fade
(``w_t = 0.5 w_{t-1} + e_t``), above zero they overshoot to the other side
(``w_t = -0.9 w_{t-1} + e_t``).
A linear model can only fit one average coefficient to both regimes, which is what
gives a recurrent network something to learn that a linear baseline cannot.
"""

from __future__ import annotations

import numpy as np
from tqdm.auto import tqdm

from rnnbook import validate
from rnnbook.validate import positive_int

PROGRESS_FROM = 10_000  # forecasts of this many steps show a progress bar


def _series_1d(series) -> np.ndarray:
    array = validate.numeric_array("series", series, np.float64)
    if array.ndim != 1:
        raise ValueError(f"series must be 1-D (one value per time step), got shape {array.shape}")
    return array


def threshold_ar(
    n_steps: int, rng: np.random.Generator, low: float = 0.5, high: float = -0.9, noise: float = 1.0
) -> np.ndarray:
    """A two-regime threshold AR(1): ``w_t = (low if w_{t-1} <= 0 else high) * w_{t-1} + noise * e_t``."""
    n_steps = positive_int("n_steps", n_steps)
    rng = validate.generator("rng", rng)
    low, high, noise = (validate.real(k, v) for k, v in (("low", low), ("high", high), ("noise", noise)))
    if not (abs(low) < 1 and abs(high) < 1):
        raise ValueError(f"the coefficients must lie in (-1, 1) to stay stable, got low={low}, high={high}")
    shocks = noise * rng.standard_normal(n_steps)
    w = np.zeros(n_steps)
    previous = 0.0
    for t in range(n_steps):
        previous = (low if previous <= 0 else high) * previous + shocks[t]
        w[t] = previous
    return w


def seasonal_series(
    n_steps: int,
    rng: np.random.Generator,
    period: int = 50,
    amplitude: float = 2.0,
    trend: float = 0.01,
    noise: float = 1.0,
) -> np.ndarray:
    """``trend * t + amplitude * sin(2 pi t / period) + threshold_ar(...)``, shape ``(n_steps,)``."""
    n_steps = positive_int("n_steps", n_steps)
    period = positive_int("period", period)
    rng = validate.generator("rng", rng)
    amplitude, trend = validate.real("amplitude", amplitude), validate.real("trend", trend)
    t = np.arange(n_steps)
    return trend * t + amplitude * np.sin(2 * np.pi * t / period) + threshold_ar(n_steps, rng, noise=noise)


def random_walk(n_steps: int, rng: np.random.Generator, step: float = 1.0) -> np.ndarray:
    """A Gaussian random walk: the sum of independent steps (the textbook model of a price)."""
    n_steps = positive_int("n_steps", n_steps)
    rng = validate.generator("rng", rng)
    step = validate.real("step", step)
    return np.cumsum(step * rng.standard_normal(n_steps))


def make_windows(series, window: int, start: int = 0, stop: int | None = None):
    """Every ``window`` values of ``series`` that precede a target index in ``[start, stop)``.

    Returns ``(x, y)``: ``x`` of shape ``(n, window)`` and ``y`` of shape ``(n,)``, where
    ``y[i] = series[t]`` and ``x[i] = series[t - window : t]`` for ``t = max(start, window) ...
    stop - 1``. Targets before ``window`` have too little history and are skipped, so a test
    part can use the end of the training part as its first inputs without leaking its targets.
    """
    series = _series_1d(series)
    window = positive_int("window", window)
    stop = len(series) if stop is None else stop
    if not 0 <= start < stop <= len(series):
        raise ValueError(
            f"need 0 <= start < stop <= len(series) = {len(series)}, got start={start}, stop={stop}"
        )
    targets = np.arange(max(start, window), stop)
    if targets.size == 0:
        raise ValueError(f"no target in [{start}, {stop}) has {window} values before it")
    x = series[targets[:, None] - window + np.arange(window)]
    return x, series[targets]


def relative(x, y=None):
    """Windows and targets measured from each window's last value (a model that ignores the level).

    Returns ``x - x[:, -1:]`` and, when ``y`` is given, ``y - x[:, -1]`` as well.
    """
    x = validate.numeric_array("x", x, np.float64)
    if x.ndim != 2:
        raise ValueError(f"x must have shape (n, window), got {x.shape}")
    last = x[:, -1]
    if y is None:
        return x - last[:, None]
    y = validate.numeric_array("y", y, np.float64)
    if y.shape != last.shape:
        raise ValueError(f"y must have shape {last.shape} (one target per window), got {y.shape}")
    return x - last[:, None], y - last


def naive_forecast(x) -> np.ndarray:
    """The "last value" forecast: tomorrow equals today. ``x`` (n, window) -> (n,) float64."""
    x = validate.numeric_array("x", x, np.float64)
    if x.ndim != 2 or x.shape[1] == 0:
        raise ValueError(f"x must have shape (n, window) with window >= 1, got {x.shape}")
    return x[:, -1].copy()


class LinearAR:
    """Autoregressive least squares: ``y ~ w . x + b`` over the window, fitted in closed form."""

    def fit(self, x, y) -> LinearAR:
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        if x.ndim != 2 or y.shape != (x.shape[0],):
            raise ValueError(f"need x of shape (n, window) and y of shape (n,), got {x.shape} and {y.shape}")
        if x.shape[0] <= x.shape[1]:
            raise ValueError(
                f"need more windows than window length to fit, got {x.shape[0]} windows "
                f"of length {x.shape[1]}"
            )
        design = np.hstack([x, np.ones((x.shape[0], 1))])
        solution, *_ = np.linalg.lstsq(design, y, rcond=None)
        self.coef_, self.intercept_ = solution[:-1], solution[-1]
        return self

    def predict(self, x) -> np.ndarray:
        if not hasattr(self, "coef_"):
            raise ValueError("call fit before predict")
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self.coef_.size:
            raise ValueError(f"x must have shape (n, {self.coef_.size}), got {x.shape}")
        return x @ self.coef_ + self.intercept_


def mae(y_true, y_pred) -> float:
    """Mean absolute error of two arrays of the same shape."""
    y_true = validate.numeric_array("y_true", y_true, np.float64)
    y_pred = validate.numeric_array("y_pred", y_pred, np.float64)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"shapes differ: y_true {y_true.shape}, y_pred {y_pred.shape}")
    return float(np.mean(np.abs(y_true - y_pred)))


def recursive_forecast(predict_next, history, horizon: int) -> np.ndarray:
    """Forecast ``horizon`` steps by feeding each prediction back in as the newest value.

    ``predict_next(x)`` maps windows of shape ``(n, window)`` to next values ``(n,)``;
    ``history`` holds the last ``window`` known values of ``n`` series, shape ``(n, window)``.
    Returns ``(n, horizon)`` float64. A horizon whose result would not fit in memory
    (:data:`rnnbook.validate.MAX_BYTES`) is refused before any work; a long one shows a
    progress bar and can be interrupted. Raises ``TypeError`` when ``predict_next`` is
    not callable, ``ValueError`` for a bad ``history`` or ``horizon``.
    """
    validate.function("predict_next", predict_next, "a function mapping windows (n, window) to (n,)")
    window = validate.finite_array("history", history)
    if window.ndim != 2:
        raise ValueError(f"history must have shape (n, window), got {window.shape}")
    window = window.copy()
    horizon = positive_int("horizon", horizon)
    validate.allocation("horizon", horizon, 8 * horizon * max(window.shape[0], 1), "the forecasts")
    steps = []
    for _ in tqdm(range(horizon), desc="forecasting", unit="step", disable=horizon < PROGRESS_FROM):
        nxt = np.asarray(predict_next(window), dtype=np.float64).reshape(-1)
        if nxt.shape != (window.shape[0],):
            raise ValueError(f"predict_next must return {window.shape[0]} values, got shape {nxt.shape}")
        steps.append(nxt)
        window = np.hstack([window[:, 1:], nxt[:, None]])
    return np.stack(steps, axis=1)
