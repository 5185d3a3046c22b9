"""Numerical gradient checking with central differences."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rnnbook import validate


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """||a - n|| / (||a|| + ||n||): scale-free, 0 when they agree, 1 when opposite.

    Norms over the whole array, so single entries that are both ~0 cannot blow it up.
    """
    analytic = validate.numeric_array("analytic", analytic, float)
    numeric = validate.numeric_array("numeric", numeric, float)
    if analytic.shape != numeric.shape:
        raise ValueError(f"shapes differ: analytic {analytic.shape}, numeric {numeric.shape}")
    denom = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    return 0.0 if denom == 0 else float(np.linalg.norm(analytic - numeric) / denom)


def numerical_gradient(loss: Callable[[], float], array: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """dloss/darray by central differences, (L(x+eps) - L(x-eps)) / 2eps, entry by entry.

    ``loss`` takes no arguments and reads ``array`` (which is perturbed in place and
    restored, even when ``loss`` raises or the run is interrupted), so it works for any
    parameter of any model. Returns an array shaped like ``array``. Raises ``TypeError``
    when ``loss`` is not callable or ``array`` is not a NumPy array (the perturbation must
    reach the model), ``ValueError`` for a non-float64 array or a bad ``eps``.
    """
    validate.function("loss", loss, "a function of no arguments returning the loss")
    if not isinstance(array, np.ndarray):
        raise validate.ArgumentTypeError(
            "array must be the NumPy array the loss reads (it is perturbed in place), "
            f"got {type(array).__name__}"
        )
    eps = validate.real("eps", eps, positive=True)
    if array.dtype != np.float64:
        raise ValueError(
            f"gradient checks need float64 parameters (float32 rounding swamps eps), got {array.dtype}"
        )
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        original = array[index]
        try:
            array[index] = original + eps
            plus = loss()
            array[index] = original - eps
            minus = loss()
        finally:  # the caller's parameters come back unchanged whatever happens
            array[index] = original
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def check_gradients(
    loss: Callable[[], float], params: dict[str, np.ndarray], grads: dict[str, np.ndarray], eps: float = 1e-5
) -> dict[str, float]:
    """Relative error between ``grads`` and central differences, for every parameter.

    ``params`` and ``grads`` map names to arrays of the same shapes; returns name ->
    :func:`relative_error`. Raises ``ValueError`` naming parameters without a gradient.
    """
    if not isinstance(params, dict) or not isinstance(grads, dict):
        raise validate.ArgumentTypeError(
            "params and grads must be dicts of arrays, "
            f"got {type(params).__name__} and {type(grads).__name__}"
        )
    missing = set(params) - set(grads)
    if missing:
        raise ValueError(f"no analytic gradient for {sorted(missing)}")
    return {name: relative_error(grads[name], numerical_gradient(loss, params[name], eps)) for name in params}
