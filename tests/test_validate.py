import numpy as np
import pytest

from rnnbook.validate import positive_int, temperature


def test_positive_int_accepts_python_and_numpy_integers():
    assert positive_int("n", 3) == 3
    assert positive_int("n", np.int64(7)) == 7


@pytest.mark.parametrize("value", [0, -2, 2.0, True, "3", None])
def test_positive_int_names_the_argument_and_the_value(value):
    with pytest.raises(ValueError, match=rf"n_units must be a positive integer, got {value!r}"):
        positive_int("n_units", value)


def test_temperature():
    assert temperature("0.5") == 0.5
    for bad in (0, -1, float("inf"), float("nan"), "hot", None):
        with pytest.raises(ValueError, match="temperature must be a positive"):
            temperature(bad)
