"""Chapter 6's checkers: right answers pass, wrong ones get a specific message."""

import numpy as np
import pytest

from rnnbook import gates
from rnnbook.checks import CheckFailed, ch06


def right_lstm_step(x, h, c, kernel, recurrent_kernel, bias):
    h_new, c_new, _ = gates.lstm_step(x, h, c, kernel, recurrent_kernel, bias)
    return h_new, c_new


def lstm_step_with(order="ifco", h_tanh=True, candidate=np.tanh):
    def step(x, h, c, kernel, recurrent_kernel, bias):
        blocks = dict(zip(order, np.split(x @ kernel + h @ recurrent_kernel + bias, 4, axis=-1), strict=True))
        i, f, o = (gates.sigmoid(blocks[k]) for k in "ifo")
        c_new = f * c + i * candidate(blocks["c"])
        return o * (np.tanh(c_new) if h_tanh else c_new), c_new

    return step


def test_lstm_checker_accepts_the_right_step(capsys):
    ch06.check_lstm_step(right_lstm_step)
    assert capsys.readouterr().out.startswith("Correct! h and c match")


def test_lstm_checker_accepts_float32(capsys):
    def in_float32(*arrays):
        return right_lstm_step(*(a.astype(np.float32) for a in arrays))

    ch06.check_lstm_step(in_float32)
    assert capsys.readouterr().out.startswith("Correct!")


@pytest.mark.parametrize(
    "step,match",
    [
        (lstm_step_with(order="ifoc"), r"c is wrong: largest difference .*; h is wrong: .*order i, f, o, c"),
        (lstm_step_with(order="icfo"), r"c is wrong.*order i, c, f, o"),
        (
            lstm_step_with(h_tanh=False),
            r"^h is wrong: largest difference [\d.]+ at index \(\d, \d\) "
            r"\(got .*, expected .*\); c is right\. .*tanh\(c_t\)",
        ),
        (lstm_step_with(candidate=gates.sigmoid), r"c is wrong.*candidate uses a sigmoid"),
    ],
)
def test_lstm_checker_names_the_wrong_output_and_the_mistake(step, match):
    with pytest.raises(CheckFailed, match=match):
        ch06.check_lstm_step(step)


def test_lstm_checker_uses_the_new_cell_state_for_h():
    def old_c(x, h, c, kernel, recurrent_kernel, bias):
        h_new, c_new = right_lstm_step(x, h, c, kernel, recurrent_kernel, bias)
        o = gates.sigmoid((x @ kernel + h @ recurrent_kernel + bias)[:, 3 * h.shape[1] :])
        return o * np.tanh(c), c_new

    with pytest.raises(CheckFailed, match=r"h is wrong.*c is right.*old cell state"):
        ch06.check_lstm_step(old_c)


def test_lstm_checker_reports_an_unknown_mistake_without_a_guess():
    def off_by_a_bit(*args):
        h, c = right_lstm_step(*args)
        return h, c + 0.01

    with pytest.raises(CheckFailed) as error:
        ch06.check_lstm_step(off_by_a_bit)
    assert str(error.value).startswith("c is wrong: largest difference 0.01")
    assert "looks as if" not in str(error.value)


@pytest.mark.parametrize(
    "result,match",
    [
        (None, r"a pair \(h, c\), got NoneType"),
        ("h only", r"a pair \(h, c\), got str"),
        ((np.zeros(4), np.zeros((3, 4))), r"h has shape \(4,\), expected \(3, 4\)"),
        ((np.zeros((3, 4)), None), r"c is None"),
    ],
)
def test_lstm_checker_rejects_malformed_results(result, match):
    with pytest.raises(CheckFailed, match=match):
        ch06.check_lstm_step(lambda *args: result)


def test_lstm_checker_reports_nan():
    def nan_h(*args):
        h, c = right_lstm_step(*args)
        return h * np.nan, c

    with pytest.raises(CheckFailed, match="h contains NaN or infinity; c is right"):
        ch06.check_lstm_step(nan_h)


# --- GRU with reset_after=False ------------------------------------------------------------


def right_gru_step(x, h, kernel, recurrent_kernel, bias):
    """Written out here (Keras' z, r, h blocks; reset before the product), not rnnbook.gates'."""
    xz, xr, xh = np.split(x @ kernel + bias, 3, axis=-1)
    uz, ur, uh = np.split(recurrent_kernel, 3, axis=-1)
    z = 1 / (1 + np.exp(-(xz + h @ uz)))
    r = 1 / (1 + np.exp(-(xr + h @ ur)))
    return z * h + (1 - z) * np.tanh(xh + (r * h) @ uh)


def test_gru_checker_reference_agrees_with_rnnbook_gates():
    rng = np.random.default_rng(0)
    case = (
        rng.normal(size=(2, 3)),
        rng.normal(size=(2, 4)),
        rng.normal(size=(3, 12)),
        rng.normal(size=(4, 12)),
        rng.normal(size=12),
    )
    np.testing.assert_allclose(ch06._gru_reference(*case), right_gru_step(*case))


def test_gru_checker_accepts_the_right_step(capsys):
    ch06.check_gru_step_reset_before(right_gru_step)
    assert capsys.readouterr().out.startswith("Correct! h matches Keras' GRU(reset_after=False)")


def test_gru_checker_spots_reset_after():
    def reset_after(x, h, kernel, recurrent_kernel, bias):
        two_biases = np.stack([bias, np.zeros_like(bias)])  # Keras' reset_after layout, zero recurrent bias
        return gates.gru_step(x, h, kernel, recurrent_kernel, two_biases)[0]

    with pytest.raises(CheckFailed, match=r"^h is wrong: largest difference .*after the product"):
        ch06.check_gru_step_reset_before(reset_after)


def test_gru_checker_spots_the_swapped_update_convention():
    def swapped(x, h, kernel, recurrent_kernel, bias):
        h_new = right_gru_step(x, h, kernel, recurrent_kernel, bias)
        # h_new = z h + (1 - z) n, so (1 - z) h + z n = h + n - h_new
        z = gates.sigmoid((x @ kernel + bias + h @ recurrent_kernel)[:, : h.shape[1]])
        candidate = (h_new - z * h) / (1 - z)
        return (1 - z) * h + z * candidate

    with pytest.raises(CheckFailed, match=r"update gate keeps the old state"):
        ch06.check_gru_step_reset_before(swapped)


def test_gru_checker_spots_swapped_blocks():
    def swapped_blocks(x, h, kernel, recurrent_kernel, bias):
        def swap(w):
            z, r, hh = np.split(w, 3, axis=-1)
            return np.concatenate([r, z, hh], axis=-1)

        return right_gru_step(x, h, swap(kernel), swap(recurrent_kernel), swap(bias))

    with pytest.raises(CheckFailed, match=r"update and reset blocks are swapped"):
        ch06.check_gru_step_reset_before(swapped_blocks)


def test_gru_checker_rejects_a_missing_return():
    with pytest.raises(CheckFailed, match=r"h is None: did the function forget to `return` it\?"):
        ch06.check_gru_step_reset_before(lambda *args: None)
