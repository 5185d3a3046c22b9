"""Argument checks shared by the helper modules: a clear ValueError naming what was expected and given."""

from __future__ import annotations

import math

import numpy as np


def positive_int(name: str, value) -> int:
    """``value`` as an int; a bool, a non-integer or a number <= 0 raises ValueError."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def temperature(value) -> float:
    """A sampling temperature as a float; it must be a positive, finite number."""
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"temperature must be a positive number, got {value!r}") from None
    if not math.isfinite(result) or result <= 0:
        raise ValueError(f"temperature must be a positive, finite number, got {value!r}")
    return result
