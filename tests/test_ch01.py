"""Chapter 1's helpers: the diagrams and the exercise checkers (right and wrong answers)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnnbook import diagrams, profiles
from rnnbook.checks import CheckFailed, ch01


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# --- diagrams -------------------------------------------------------------------------


def test_task_shapes_figure_draws_one_panel_per_shape_with_the_right_boxes():
    fig = diagrams.task_shapes_figure()
    assert len(fig.axes) == len(diagrams.TASK_SHAPES)
    for ax, (inputs, outputs, _) in zip(fig.axes, diagrams.TASK_SHAPES.values(), strict=True):
        # one hidden box per step, plus one box per input and per output
        assert len(ax.patches) == len(inputs) + sum(inputs) + sum(outputs)


def test_task_shapes_figure_draws_a_chosen_subset():
    fig = diagrams.task_shapes_figure(["many to one"])
    assert len(fig.axes) == 1 and fig.axes[0].get_title() == "many to one"


@pytest.mark.parametrize("names", [["many to few"], []])
def test_task_shapes_figure_rejects_unknown_or_no_names(names):
    with pytest.raises(ValueError, match="known:"):
        diagrams.task_shapes_figure(names)


@pytest.mark.parametrize(
    "inputs, outputs, message",
    [
        ((1, 1), (0, 0, 1), "2 input flags and 3 output flags"),
        ((), (1,), "non-empty"),
        ((1, 2), (1, 1), "0/1 flags"),
        ((0, 0), (1, 1), "at least one step"),
    ],
)
def test_draw_task_shape_rejects_bad_masks(inputs, outputs, message):
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match=message):
        diagrams.draw_task_shape(ax, inputs, outputs)


@pytest.mark.parametrize("n_steps", [1, 4, 8])
def test_unrolled_figure_has_a_column_per_step(n_steps):
    fig = diagrams.unrolled_figure(n_steps)
    (ax,) = fig.axes
    # folded cell (3 boxes) + h_0 + three boxes per step
    assert len(ax.patches) == 3 + 1 + 3 * n_steps
    labels = [t.get_text() for t in ax.texts]
    assert f"$x_{{{n_steps}}}$" in labels and labels.count("$W_{hh}$") == n_steps + 1


@pytest.mark.parametrize("n_steps", [0, -1, 9, 2.5, True])
def test_unrolled_figure_rejects_bad_step_counts(n_steps):
    with pytest.raises(ValueError, match="integer from 1 to 8"):
        diagrams.unrolled_figure(n_steps)


# --- check_rnn_step -------------------------------------------------------------------


def good_step(x, h, Wxh, Whh, bh):
    return np.tanh(x @ Wxh + h @ Whh + bh)


def test_rnn_step_checker_accepts_the_right_answer(capsys):
    ch01.check_rnn_step(good_step)
    assert capsys.readouterr().out.startswith("Correct!")


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda x, h, Wxh, Whh, bh: x @ Wxh + h @ Whh + bh, "without tanh"),
        (lambda x, h, Wxh, Whh, bh: np.tanh(x @ Wxh + h @ Whh.T + bh), "Whh transposed"),
        (lambda x, h, Wxh, Whh, bh: np.tanh(x @ Wxh + h @ Whh), "leaves out the bias"),
        (lambda x, h, Wxh, Whh, bh: np.tanh(x @ Wxh + bh), "ignores h_prev"),
        (lambda x, h, Wxh, Whh, bh: np.tanh(h @ Whh + bh), "ignores the input"),
        (lambda x, h, Wxh, Whh, bh: 1 / (1 + np.exp(-(x @ Wxh + h @ Whh + bh))), "sigmoid"),
        (lambda x, h, Wxh, Whh, bh: good_step(x, h, Wxh, Whh, bh).T, "looks transposed"),
        (lambda x, h, Wxh, Whh, bh: good_step(x, h, Wxh, Whh, bh)[0], r"has shape \(5,\), expected \(4, 5\)"),
        (lambda x, h, Wxh, Whh, bh: None, "forget to `return`"),
        (lambda x, h, Wxh, Whh, bh: good_step(x, h, Wxh, Whh, bh) * 1.01, r"is wrong at index \(0, 0\)"),
    ],
)
def test_rnn_step_checker_names_the_mistake(wrong, message):
    with pytest.raises(CheckFailed, match=message):
        ch01.check_rnn_step(wrong)


def test_rnn_step_checker_refuses_in_place_changes():
    def in_place(x, h, Wxh, Whh, bh):
        h[:] = np.tanh(x @ Wxh + h @ Whh + bh)
        return h

    with pytest.raises(CheckFailed, match="in place"):
        ch01.check_rnn_step(in_place)


def test_rnn_step_checker_reports_the_students_own_error_in_one_line_chained_to_it():
    def unfinished(x, h, Wxh, Whh, bh):
        raise NotImplementedError("write the step")

    with pytest.raises(
        CheckFailed, match=r"your function raised NotImplementedError: write the step"
    ) as info:
        ch01.check_rnn_step(unfinished)
    assert "\n" not in str(info.value)
    assert isinstance(
        info.value.__cause__, NotImplementedError
    )  # the traceback still shows the student's line


# --- check_count_stacked_params --------------------------------------------------------


def good_count(n_in, h1, h2, n_out):
    return n_in * h1 + h1 * h1 + h1 + h1 * h2 + h2 * h2 + h2 + h2 * n_out + n_out


def test_expected_stacked_count_by_hand():
    # 3*5 + 25 + 5 + 5*7 + 49 + 7 + 7*2 + 2
    assert ch01.expected_stacked_count(3, 5, 7, 2) == 152


def test_count_checker_accepts_the_right_answer(capsys):
    ch01.check_count_stacked_params(good_count)
    assert capsys.readouterr().out.startswith("Correct!")


@pytest.mark.parametrize(
    "wrong, message",
    [
        (
            lambda n_in, h1, h2, n_out: good_count(n_in, h1, h2, n_out) - h2 * h2,
            r"counted 103, expected 152 \(-49\)\. The gap is the size of W_hh2 .*leave it out",
        ),
        (lambda n_in, h1, h2, n_out: good_count(n_in, h1, h2, n_out) - n_out, "size of b_y"),
        (lambda n_in, h1, h2, n_out: good_count(n_in, h1, h2, n_out) + h1 * h2, "W_h1h2 .*count it twice"),
        (lambda n_in, h1, h2, n_out: good_count(n_in, h1, h2, n_out) + 1, r"\(\+1\)\.$"),
        (lambda n_in, h1, h2, n_out: float(good_count(n_in, h1, h2, n_out)), "type float"),
        (lambda n_in, h1, h2, n_out: None, "forget to `return`"),
    ],
)
def test_count_checker_names_the_gap(wrong, message):
    with pytest.raises(CheckFailed, match=message):
        ch01.check_count_stacked_params(wrong)


# --- check_running_sum -----------------------------------------------------------------


def sum_params(scale=0.001, whh=1.0, bh=0.0, by=0.0, why=None):
    return {
        "Wxh": np.array([[scale]]),
        "Whh": np.array([[whh]]),
        "bh": np.array([bh]),
        "Why": np.array([[1 / scale if why is None else why]]),
        "by": np.array([by]),
    }


def test_running_sum_checker_accepts_a_small_linear_state(capsys):
    ch01.check_running_sum(sum_params())
    assert capsys.readouterr().out.startswith("Correct!")


@pytest.mark.parametrize(
    "params, message",
    [
        (sum_params(scale=0.3), "tanh squashes"),
        (sum_params(whh=0.9), "leaks away"),
        (sum_params(bh=0.01), "both biases should be 0"),
        (sum_params(why=-1000.0), "wrong sign"),
        (sum_params(scale=0.3), r"error [0-9.]+, allowed 0\.05"),
        ({"Wxh": np.ones((1, 1))}, "missing"),
        ([1, 2], "must be a dict"),
        ({**sum_params(), "Whh": np.ones((2, 2))}, r"Whh has shape \(2, 2\), expected \(1, 1\)"),
        (sum_params(why=np.inf), "NaN or infinity"),
    ],
)
def test_running_sum_checker_explains_the_error(params, message):
    with pytest.raises(CheckFailed, match=message):
        ch01.check_running_sum(params)


def test_running_sum_inputs_are_in_range_and_shaped_for_the_rnn():
    xs = ch01.running_sum_inputs(np.random.default_rng(0), n=5, steps=7)
    assert xs.shape == (5, 7, 1) and xs.min() >= -1 and xs.max() <= 1


# --- sizes ----------------------------------------------------------------------------


def test_chapter_sizes_are_distinct_so_printed_shapes_are_unambiguous():
    for profile in profiles.PROFILES:
        cfg = profiles.sizes("ch01", profile)
        shape_sizes = [cfg.batch_size, cfg.n_steps, cfg.n_input, cfg.n_hidden]
        assert len(set(shape_sizes)) == len(shape_sizes)
        assert cfg.memory_steps > cfg.n_steps
