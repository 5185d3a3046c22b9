"""Numerical gradient checking with central differences."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """||a - n|| / (||a|| + ||n||): scale-free, 0 when they agree, 1 when opposite.

    Norms over the whole array, so single entries that are both ~0 cannot blow it up.
    """
    analytic, numeric = np.asarray(analytic, float), np.asarray(numeric, float)
    if analytic.shape != numeric.shape:
        raise ValueError(f"shapes differ: analytic {analytic.shape}, numeric {numeric.shape}")
    denom = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    return 0.0 if denom == 0 else float(np.linalg.norm(analytic - numeric) / denom)


def numerical_gradient(loss: Callable[[], float], array: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """dloss/darray by central differences, (L(x+eps) - L(x-eps)) / 2eps, entry by entry.

    ``loss`` takes no arguments and reads ``array`` (which is perturbed in place and
    restored), so it works for any parameter of any model.
    """
    if array.dtype != np.float64:
        raise ValueError(
            f"gradient checks need float64 parameters (float32 rounding swamps eps), got {array.dtype}"
        )
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        original = array[index]
        array[index] = original + eps
        plus = loss()
        array[index] = original - eps
        minus = loss()
        array[index] = original
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def check_gradients(
    loss: Callable[[], float], params: dict[str, np.ndarray], grads: dict[str, np.ndarray], eps: float = 1e-5
) -> dict[str, float]:
    """Relative error between ``grads`` and central differences, for every parameter."""
    missing = set(params) - set(grads)
    if missing:
        raise ValueError(f"no analytic gradient for {sorted(missing)}")
    return {name: relative_error(grads[name], numerical_gradient(loss, params[name], eps)) for name in params}
