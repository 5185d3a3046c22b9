import numpy as np
import pytest

from rnnbook.checks import CheckFailed, expect_close, expect_shape, passed


def test_shape_message_names_both_shapes():
    with pytest.raises(CheckFailed, match=r"h has shape \(3, 2\), expected \(2, 3\)"):
        expect_shape("h", np.zeros((3, 2)), (2, 3))
    with pytest.raises(CheckFailed, match="forget to `return`"):
        expect_shape("h", None, (2,))


def test_value_message_names_the_first_wrong_entry_and_the_difference():
    expected = np.arange(6.0).reshape(2, 3)
    got = expected.copy()
    got[1, 2] += 0.5
    with pytest.raises(CheckFailed, match=r"at index \(1, 2\): got 5.5, expected 5 .*1 of 6 .*0.5"):
        expect_close("y", got, expected)
    with pytest.raises(CheckFailed, match="NaN"):
        expect_close("y", np.full((2, 3), np.nan), expected)
    expect_close("y", expected + 1e-12, expected)


def test_passed_prints_correct(capsys):
    passed("well done")
    assert capsys.readouterr().out == "Correct! well done\n"
