"""Argument checks shared by the helper modules, so the teaching code stays short.

Every check raises an error that names the argument, the value it was given and what
was expected:

* :class:`ArgumentTypeError` (a ``TypeError``) when the value is the wrong *kind* of
  thing: a string or a bool where a number is meant, a float that is not integral
  where a size is meant, a non-callable where a function is meant;
* ``ValueError`` when it is the right kind but out of range: a size <= 0, an id outside
  the vocabulary, a NaN logit, a request too large to allocate.

One rule for sizes across the package: an integral number is accepted whatever its
type (``5``, ``np.int64(5)``, ``5.0``) and returned as an ``int``; ``5.5``, ``True``,
``"5"`` and ``None`` are refused.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

# The most memory one request may ask for before it is refused up front (bytes).
MAX_BYTES = 4 * 2**30


class ArgumentTypeError(TypeError, ValueError):
    """The argument is the wrong kind of value.

    A ``TypeError``; also a ``ValueError`` so that code written against the earlier
    validators, which raised ``ValueError`` for every bad argument, still catches it.
    """


def _kind(value) -> str:
    return type(value).__name__


def integer(name: str, value, minimum: int | None = None, maximum: int | None = None) -> int:
    """``value`` as an ``int``, checked to be integral and within ``[minimum, maximum]``.

    Accepts Python and NumPy integers and integral floats (``5.0``). Raises
    :class:`ArgumentTypeError` for bools, strings, ``None``, non-integral or non-finite
    floats, and ``ValueError`` for an integer outside the bounds.
    """
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise ArgumentTypeError(f"{name} must be an integer, got {value!r} ({_kind(value)})")
    if not isinstance(value, numbers.Integral):
        if not math.isfinite(value) or value != int(value):
            raise ArgumentTypeError(f"{name} must be an integer, got {value!r} (not a whole number)")
    result = int(value)
    if minimum is not None and result < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if maximum is not None and result > maximum:
        raise ValueError(f"{name} must be an integer <= {maximum}, got {value!r}")
    return result


def positive_int(name: str, value) -> int:
    """``value`` as an ``int`` >= 1 (see :func:`integer` for what is accepted and raised)."""
    try:
        return integer(name, value, minimum=1)
    except ArgumentTypeError as error:
        raise ArgumentTypeError(f"{name} must be a positive integer, got {value!r}") from error
    except ValueError as error:
        raise ValueError(f"{name} must be a positive integer, got {value!r}") from error


def nonnegative_int(name: str, value) -> int:
    """``value`` as an ``int`` >= 0 (see :func:`integer`)."""
    try:
        return integer(name, value, minimum=0)
    except ArgumentTypeError as error:
        raise ArgumentTypeError(f"{name} must be a non-negative integer, got {value!r}") from error
    except ValueError as error:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}") from error


def real(name: str, value, *, positive: bool = False) -> float:
    """``value`` as a finite ``float`` (and > 0 with ``positive=True``)."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise ArgumentTypeError(f"{name} must be a number, got {value!r} ({_kind(value)})")
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if positive and result <= 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return result


def temperature(value) -> float:
    """A sampling temperature as a float: a positive, finite number (numeric strings too).

    Any accepted temperature samples: :func:`tempered_softmax` turns a tiny one into
    near-greedy sampling instead of an overflow.
    """
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"temperature must be a positive number, got {value!r} ({_kind(value)})") from None
    if isinstance(value, bool) or not math.isfinite(result) or result <= 0:
        raise ValueError(
            f"temperature must be a positive, finite number, got {value!r}; "
            "use a small value such as 0.1 for nearly greedy sampling"
        )
    return result


def tempered_softmax(logits: np.ndarray, temperature: float) -> np.ndarray:
    """``softmax(logits / temperature)`` over the last axis, for any accepted temperature.

    The usual stable form divides first and then subtracts the row maximum. When a tiny
    temperature makes ``logits / temperature`` overflow, the maximum is subtracted
    *before* dividing instead: the largest logit then maps to 0 and the others to large
    negative numbers, so the result tends to the one-hot of the argmax (greedy) rather
    than NaN. Ties at the maximum share the probability.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        z = logits / temperature
        if not np.all(np.isfinite(z)):
            z = (logits - logits.max(axis=-1, keepdims=True)) / temperature
        z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def numeric_array(name: str, value, dtype=None) -> np.ndarray:
    """``value`` as a NumPy array of numbers (not copied when it already is one).

    Raises :class:`ArgumentTypeError` naming ``name`` for strings, ragged lists, ``None``
    and other values that are not numbers, instead of NumPy's generic message.
    """
    try:  # None would become NaN under a float dtype: refused like any non-number
        array = None if value is None else np.asarray(value, dtype=dtype)
    except (TypeError, ValueError):
        array = None
    if array is None or array.dtype == object or array.dtype.kind in "USVMm":
        raise ArgumentTypeError(f"{name} must be an array of numbers, got {_short(value)} ({_kind(value)})")
    return array


def generator(name: str, value) -> np.random.Generator:
    """Refuse anything but a ``numpy.random.Generator`` (a seed is not one: say how to make it)."""
    if not isinstance(value, np.random.Generator):
        raise ArgumentTypeError(
            f"{name} must be a numpy.random.Generator such as np.random.default_rng(0), "
            f"got {_short(value)} ({_kind(value)})"
        )
    return value


def finite_array(name: str, value, *, ndim: int | None = None, dtype=np.float64) -> np.ndarray:
    """``value`` as a NumPy array of ``dtype`` with only finite entries.

    Raises :class:`ArgumentTypeError` when it is not numeric, ``ValueError`` for the
    wrong number of dimensions or a NaN/infinite entry (naming the first one).
    """
    array = numeric_array(name, value, dtype)
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array, got shape {array.shape}")
    bad = ~np.isfinite(array)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{name} must be finite (no NaN or infinity), got {array[first]} at index {first}")
    return array


def ids_in_range(name: str, value, size: int) -> np.ndarray:
    """``value`` as an integer array whose entries all lie in ``0..size-1``.

    Negative ids are refused rather than counted from the end (NumPy's meaning, which
    would silently pick the last rows). Raises :class:`ArgumentTypeError` for
    non-integer input, ``ValueError`` naming the ids outside the range.
    """
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):
        array = np.asarray(None)
    if array.dtype == bool or not (np.issubdtype(array.dtype, np.integer) or array.size == 0):
        if (
            np.issubdtype(array.dtype, np.floating)
            and np.all(np.isfinite(array))
            and np.all(array == np.round(array))
        ):
            array = array.astype(np.int64)
        else:
            raise ArgumentTypeError(
                f"{name} must be integer ids in 0..{size - 1}, got {_short(value)} "
                f"({_kind(value)} of dtype {array.dtype})"
            )
    array = array.astype(np.int64, copy=False) if array.size == 0 else array
    bad = array[(array < 0) | (array >= size)]
    if bad.size:
        shown = sorted(set(bad.ravel().tolist()))[:10]
        raise ValueError(f"{name} must lie in 0..{size - 1}, got {shown}")
    return array


def function(name: str, value, expected: str = "a function") -> None:
    """Refuse a ``value`` that cannot be called, saying what was expected."""
    if not callable(value):
        raise ArgumentTypeError(f"{name} must be {expected}, got {_short(value)} ({_kind(value)})")


def allocation(name: str, value: int, nbytes: int, what: str, limit: int | None = None) -> None:
    """Refuse, before any work, a request whose result would need more than ``limit`` bytes.

    ``name``/``value`` is the argument that sets the size, ``nbytes`` the memory the
    result would take and ``what`` describes it ("the sampled ids").
    """
    limit = MAX_BYTES if limit is None else limit
    if nbytes > limit:
        raise ValueError(
            f"{name}={value!r} would need {format_bytes(nbytes)} for {what}, more than the "
            f"{format_bytes(limit)} limit (rnnbook.validate.MAX_BYTES); ask for less"
        )


def format_bytes(nbytes: float) -> str:
    """``1536`` -> ``'1.5 KiB'``."""
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(nbytes) < 1024 or unit == "PiB":
            return f"{nbytes:.0f} {unit}" if unit == "bytes" else f"{nbytes:.1f} {unit}"
        nbytes /= 1024
    raise AssertionError("unreachable")


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def layer_sequence(name: str, layers: list, expected: tuple[type, ...]) -> list:
    """``layers`` if they are, in order, instances of the ``expected`` classes.

    Raises ``ValueError`` naming the first layer that differs (its position, class and
    name) and the class expected there, or the number of layers when they differ.
    """
    wanted = " -> ".join(cls.__name__ for cls in expected)
    found = " -> ".join(type(layer).__name__ for layer in layers) or "no layers"
    for position, (layer, cls) in enumerate(zip(layers, expected, strict=False)):
        if not isinstance(layer, cls):
            raise ValueError(
                f"{name} must be a {wanted} model, got {found}: layer {position} is "
                f"{type(layer).__name__} {getattr(layer, 'name', '')!r}, expected {cls.__name__}"
            )
    if len(layers) != len(expected):
        raise ValueError(f"{name} must be a {wanted} model ({len(expected)} layers), got {found}")
    return list(layers)
