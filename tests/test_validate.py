import numpy as np
import pytest

from rnnbook import validate
from rnnbook.validate import ArgumentTypeError, positive_int, temperature


def test_positive_int_accepts_integral_numbers_of_any_type():
    assert positive_int("n", 3) == 3
    assert positive_int("n", np.int64(7)) == 7
    assert positive_int("n", 5.0) == 5 and type(positive_int("n", 5.0)) is int
    assert positive_int("n", np.float32(2.0)) == 2


@pytest.mark.parametrize("value", [2.5, True, np.bool_(True), "3", None, float("nan"), float("inf"), [3]])
def test_positive_int_refuses_the_wrong_kind_with_a_type_error(value):
    with pytest.raises(TypeError, match=r"n_units must be a positive integer, got "):
        positive_int("n_units", value)


@pytest.mark.parametrize("value", [0, -2, -1.0])
def test_positive_int_refuses_values_below_one(value):
    with pytest.raises(ValueError, match=rf"n_units must be a positive integer, got {value!r}"):
        positive_int("n_units", value)


def test_type_errors_are_also_value_errors_for_older_callers():
    with pytest.raises(ValueError):
        positive_int("n", "3")


def test_integer_bounds():
    assert validate.integer("k", 0, minimum=0) == 0
    with pytest.raises(ValueError, match=r"k must be an integer <= 3, got 4"):
        validate.integer("k", 4, maximum=3)


def test_temperature():
    assert temperature("0.5") == 0.5
    for bad in (0, -1, float("inf"), float("nan"), "hot", None, True):
        with pytest.raises(ValueError, match="temperature must be a positive"):
            temperature(bad)


def test_tempered_softmax_matches_the_formula_and_goes_greedy_for_tiny_temperatures():
    logits = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 0.0]])
    for t in (0.5, 1.0, 3.0):
        e = np.exp(logits / t)
        np.testing.assert_allclose(validate.tempered_softmax(logits, t), e / e.sum(axis=1, keepdims=True))
    for tiny in (1e-39, 1e-300, 5e-324):
        p = validate.tempered_softmax(logits, tiny)
        assert np.all(np.isfinite(p))
        np.testing.assert_array_equal(p, [[0, 0, 1], [1, 0, 0]])
    p32 = validate.tempered_softmax(logits.astype(np.float32), 1e-39)
    np.testing.assert_array_equal(p32, [[0, 0, 1], [1, 0, 0]])


def test_finite_array_names_the_first_bad_entry():
    with pytest.raises(ValueError, match=r"x must be finite .* got nan at index \(1,\)"):
        validate.finite_array("x", [1.0, np.nan])
    with pytest.raises(TypeError, match=r"x must be an array of numbers, got 'abc'"):
        validate.finite_array("x", "abc")
    with pytest.raises(ValueError, match=r"x must be a 2-D array, got shape \(2,\)"):
        validate.finite_array("x", [1.0, 2.0], ndim=2)


def test_ids_in_range_refuses_negative_and_too_large_ids_and_non_integers():
    np.testing.assert_array_equal(validate.ids_in_range("ids", [0, 2], 3), [0, 2])
    np.testing.assert_array_equal(validate.ids_in_range("ids", np.array([1.0, 2.0]), 3), [1, 2])
    for bad, shown in (([-1], r"\[-1\]"), ([3, 0, 5], r"\[3, 5\]")):
        with pytest.raises(ValueError, match=rf"ids must lie in 0\.\.2, got {shown}"):
            validate.ids_in_range("ids", bad, 3)
    for bad in ([0.5], ["a"], [True], np.array([np.nan])):
        with pytest.raises(ArgumentTypeError, match=r"ids must be integer ids in 0\.\.2"):
            validate.ids_in_range("ids", bad, 3)


def test_allocation_refuses_with_the_memory_it_would_need():
    validate.allocation("n", 10, 80, "ids")
    with pytest.raises(ValueError, match=r"n=1000000000000 would need 7\.3 TiB for the ids, more than"):
        validate.allocation("n", 10**12, 8 * 10**12, "the ids")
    assert validate.format_bytes(1536) == "1.5 KiB"
    assert validate.format_bytes(12) == "12 bytes"


def test_function_check():
    validate.function("f", len)
    with pytest.raises(ArgumentTypeError, match=r"f must be a function of x, got None \(NoneType\)"):
        validate.function("f", None, "a function of x")
