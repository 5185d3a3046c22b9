"""Bad arguments at the public entry points (issue 9, section 1).

One table walks the helpers a chapter or a student calls with a bad value of each kind
(wrong kind of thing, out of range, NaN/inf, too large to allocate) and asserts the
exception type and that the message names the argument (and, where it matters, the
value and the valid range). A second table feeds every checker in ``rnnbook.checks``
``None``, a function that raises, and functions returning the wrong type or shape: each
must fail with one ``CheckFailed`` line, never a raw ``TypeError``.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnnbook import charmodels, gates, numpy_rnn, sentiment, sumdata, tagging, tasks, timeseries, windows
from rnnbook.checks import CheckFailed, ch01, ch02, ch03, ch04, ch05, ch06, ch07, ch08, ch09, ch10, ch11
from rnnbook.gradcheck import check_gradients, numerical_gradient, relative_error
from rnnbook.vocab import CharVocab

NAN, INF = float("nan"), float("inf")
VOCAB = CharVocab.from_text("abc")


def rng():
    return np.random.default_rng(0)


def params(n_in=3, n_hidden=4, n_out=3):
    return numpy_rnn.init_params(n_in, n_hidden, n_out, np.random.default_rng(1))


LOGITS = np.array([[0.5, -1.0, 2.0]])

# (label, call, exception type, regex the message must match: the argument's name, and
# where it helps the value and the valid range)
ROWS = [
    # --- the examples ---------------------------------------------------------------
    ("one_hot([-1])", lambda: VOCAB.one_hot([-1]), ValueError, r"ids must lie in 0\.\.2, got \[-1\]"),
    (
        "softmax_cross_entropy(logits, [[-1]])",
        lambda: numpy_rnn.softmax_cross_entropy(LOGITS[None], [[-1]]),
        ValueError,
        r"targets must lie in 0\.\.2, got \[-1\]",
    ),
    ("softmax(z, inf)", lambda: numpy_rnn.softmax(LOGITS, INF), ValueError, r"temperature .*got inf"),
    (
        "sample_ids(nan logits)",
        lambda: charmodels.sample_ids(np.array([NAN, 1.0, 2.0]), 1.0, rng()),
        ValueError,
        r"logits must be finite .*got nan at index \(0,\)",
    ),
    (
        "numpy_rnn.sample(n_chars=2.5)",
        lambda: numpy_rnn.sample(params(), [0], 2.5, rng()),
        TypeError,
        r"n_chars must be a positive integer, got 2\.5",
    ),
    (
        "numpy_rnn.sample(n_chars=10**12)",
        lambda: numpy_rnn.sample(params(), [0], 10**12, rng()),
        ValueError,
        r"n_chars=1000000000000 would need 7\.3 TiB",
    ),
    (
        "recursive_forecast(horizon=10**12)",
        lambda: timeseries.recursive_forecast(lambda x: x[:, -1], np.zeros((2, 3)), 10**12),
        ValueError,
        r"horizon=1000000000000 would need 14\.6 TiB",
    ),
    (
        "build_char_model(units=16.5)",
        lambda: charmodels.build_char_model("onehot", 3, 16.5),
        TypeError,
        r"units must be a positive integer, got 16\.5",
    ),
    # --- numpy_rnn ------------------------------------------------------------------------------
    ("init_params(n_in='3')", lambda: numpy_rnn.init_params("3", 4, 3, rng()), TypeError, r"n_in .*'3'"),
    (
        "init_params(n_hidden=0)",
        lambda: numpy_rnn.init_params(3, 0, 3, rng()),
        ValueError,
        r"n_hidden .*got 0",
    ),
    (
        "init_params(n_hidden=10**7)",
        lambda: numpy_rnn.init_params(3, 10**7, 3, rng()),
        ValueError,
        r"n_hidden=10000000 would need 727\.6 TiB",
    ),
    (
        "forward(params=None)",
        lambda: numpy_rnn.forward(None, np.zeros((1, 2, 3))),
        TypeError,
        r"params must be a dict",
    ),
    (
        "forward(xs 2-D)",
        lambda: numpy_rnn.forward(params(), np.zeros((2, 3))),
        ValueError,
        r"inputs must have shape",
    ),
    (
        "forward(h0 wrong shape)",
        lambda: numpy_rnn.forward(params(), np.zeros((2, 5, 3)), np.zeros((2, 7))),
        ValueError,
        r"h0 must have shape \(2, 4\), got \(2, 7\)",
    ),
    (
        "backward(dys wrong shape)",
        lambda: numpy_rnn.backward(params(), np.zeros((2, 5, 3)), np.zeros((2, 6, 4)), np.zeros((2, 5, 2))),
        ValueError,
        r"dys must have shape \(2, 5, 3\), got \(2, 5, 2\)",
    ),
    (
        "backward(dh_last wrong shape)",
        lambda: numpy_rnn.backward(
            params(), np.zeros((2, 5, 3)), np.zeros((2, 6, 4)), np.zeros((2, 5, 3)), np.zeros((3, 4))
        ),
        ValueError,
        r"dh_last must have shape \(2, 4\), got \(3, 4\)",
    ),
    (
        "mse_last(targets wrong size)",
        lambda: numpy_rnn.mse_last(np.zeros((2, 5, 1)), np.zeros(3)),
        ValueError,
        r"targets must have shape \(2, 1\), got \(3,\)",
    ),
    (
        "mse_last(nan targets)",
        lambda: numpy_rnn.mse_last(np.zeros((2, 5, 1)), [0.0, NAN]),
        ValueError,
        r"targets .*nan",
    ),
    (
        "softmax(nan logits)",
        lambda: numpy_rnn.softmax(np.array([NAN, 0.0])),
        ValueError,
        r"logits must be finite",
    ),
    ("softmax(temperature=0)", lambda: numpy_rnn.softmax(LOGITS, 0), ValueError, r"temperature .*got 0"),
    (
        "softmax(temperature='hot')",
        lambda: numpy_rnn.softmax(LOGITS, "hot"),
        ValueError,
        r"temperature .*'hot'",
    ),
    (
        "softmax_cross_entropy(targets >= n)",
        lambda: numpy_rnn.softmax_cross_entropy(LOGITS, [3]),
        ValueError,
        r"targets must lie in 0\.\.2, got \[3\]",
    ),
    (
        "softmax_cross_entropy(float targets)",
        lambda: numpy_rnn.softmax_cross_entropy(LOGITS, [0.5]),
        TypeError,
        r"targets must be integer ids",
    ),
    ("global_norm(list)", lambda: numpy_rnn.global_norm([1.0]), TypeError, r"grads must be a dict"),
    (
        "clip_by_norm(nan)",
        lambda: numpy_rnn.clip_by_norm({"a": np.ones(2)}, NAN),
        ValueError,
        r"max_norm .*nan",
    ),
    (
        "clip_by_value('1')",
        lambda: numpy_rnn.clip_by_value({"a": np.ones(2)}, "1"),
        TypeError,
        r"limit must be a number",
    ),
    ("SGD(inf)", lambda: numpy_rnn.SGD(INF), ValueError, r"learning_rate must be a finite number, got inf"),
    (
        "Adagrad(-1)",
        lambda: numpy_rnn.Adagrad(-1),
        ValueError,
        r"learning_rate must be a positive number, got -1",
    ),
    (
        "sample(prompt id -1)",
        lambda: numpy_rnn.sample(params(), [-1], 5, rng()),
        ValueError,
        r"start_ids .*0\.\.2",
    ),
    (
        "sample(prompt id 3)",
        lambda: numpy_rnn.sample(params(), [3], 5, rng()),
        ValueError,
        r"start_ids .*\[3\]",
    ),
    (
        "sample(prompt 'a')",
        lambda: numpy_rnn.sample(params(), "a", 5, rng()),
        TypeError,
        r"start_ids must be integer",
    ),
    (
        "sample(temperature nan)",
        lambda: numpy_rnn.sample(params(), [0], 5, rng(), NAN),
        ValueError,
        r"temperature",
    ),
    (
        "stream_batches(seq_len=True)",
        lambda: list(numpy_rnn.stream_batches(np.arange(50), 2, True)),
        TypeError,
        r"seq_len must be a positive integer, got True",
    ),
    # --- vocab ------------------------------------------------------------------------------------
    ("one_hot([3])", lambda: VOCAB.one_hot([3]), ValueError, r"ids must lie in 0\.\.2, got \[3\]"),
    ("one_hot(['a'])", lambda: VOCAB.one_hot(["a"]), TypeError, r"ids must be integer ids in 0\.\.2"),
    ("decode([-1])", lambda: VOCAB.decode([-1]), ValueError, r"ids must lie in 0\.\.2, got \[-1\]"),
    ("decode(None)", lambda: VOCAB.decode(None), TypeError, r"ids must be integer ids"),
    ("encode(5)", lambda: VOCAB.encode(5), TypeError, r"text must be a str, got int"),
    ("encode('abz')", lambda: VOCAB.encode("abz"), ValueError, r"not in the vocabulary: \['z'\]"),
    ("from_text(['ab'])", lambda: CharVocab.from_text(123), TypeError, r"text must be a str, got int"),
    # --- charmodels -------------------------------------------------------------------------------
    (
        "encode_inputs(kind)",
        lambda: charmodels.encode_inputs([[0]], "bytes", 3),
        ValueError,
        r"kind must be one of",
    ),
    (
        "encode_inputs(id 3)",
        lambda: charmodels.encode_inputs([[3]], "onehot", 3),
        ValueError,
        r"ids must lie in 0\.\.2",
    ),
    (
        "input_bytes(n_windows=-1)",
        lambda: charmodels.input_bytes("onehot", -1, 5, 3),
        ValueError,
        r"n_windows",
    ),
    (
        "build_char_model(learning_rate=nan)",
        lambda: charmodels.build_char_model("onehot", 3, 4, learning_rate=NAN),
        ValueError,
        r"learning_rate must be a finite number",
    ),
    (
        "temperature_probabilities(inf logits)",
        lambda: charmodels.temperature_probabilities([1.0, INF], 1.0),
        ValueError,
        r"logits must be finite .*inf",
    ),
    (
        "temperature_probabilities(T=-1)",
        lambda: charmodels.temperature_probabilities([1.0, 2.0], -1),
        ValueError,
        r"temperature .*got -1",
    ),
    (
        "sample_ids(rng=0)",
        lambda: charmodels.sample_ids(np.zeros(3), 1.0, 0),
        TypeError,
        r"rng must be a numpy",
    ),
    (
        "generate(model=None)",
        lambda: charmodels.generate(None, VOCAB, "ab", 5, kind="onehot"),
        TypeError,
        r"model must be a Keras model",
    ),
    (
        "generate(length=10**12)",
        lambda: charmodels.generate(lambda x: x, VOCAB, "ab", 10**12, kind="onehot"),
        ValueError,
        r"length=1000000000000 would need",
    ),
    # --- timeseries, tasks, windows, tagging, sumdata, sentiment, gates ---------------------------
    ("threshold_ar(n_steps='5')", lambda: timeseries.threshold_ar("5", rng()), TypeError, r"n_steps .*'5'"),
    (
        "seasonal_series(period=2.5)",
        lambda: timeseries.seasonal_series(10, rng(), period=2.5),
        TypeError,
        r"period",
    ),
    (
        "make_windows(window=0)",
        lambda: timeseries.make_windows(np.zeros(10), 0),
        ValueError,
        r"window .*got 0",
    ),
    (
        "recursive_forecast(predict_next=None)",
        lambda: timeseries.recursive_forecast(None, np.zeros((2, 3)), 5),
        TypeError,
        r"predict_next must be a function",
    ),
    (
        "recursive_forecast(nan history)",
        lambda: timeseries.recursive_forecast(lambda x: x[:, -1], [[0.0, NAN]], 5),
        ValueError,
        r"history must be finite",
    ),
    (
        "adding_problem(seq_len=1.5)",
        lambda: tasks.adding_problem(4, 1.5, rng()),
        TypeError,
        r"seq_len .*1\.5",
    ),
    (
        "adding_problem(n=None)",
        lambda: tasks.adding_problem(None, 10, rng()),
        TypeError,
        r"n must be a positive",
    ),
    (
        "sliding_windows(stride=0)",
        lambda: windows.sliding_windows(np.arange(5), 2, 0),
        ValueError,
        r"stride .*got 0",
    ),
    ("one_hot_bytes(length='2')", lambda: windows.one_hot_bytes(5, "2", 3), TypeError, r"length .*'2'"),
    (
        "causal_ceiling(n_symbols=1)",
        lambda: tagging.causal_ceiling(5, 1),
        ValueError,
        r"n_symbols must be at least 2",
    ),
    ("make_sum_data(seq_len=0)", lambda: sumdata.make_sum_data(5, 0, rng()), ValueError, r"seq_len .*got 0"),
    ("sentiment.pad(length=0)", lambda: sentiment.pad([[1]], 0), ValueError, r"length .*got 0"),
    (
        "lstm_parameter_count(units=2.5)",
        lambda: gates.lstm_parameter_count(3, 2.5),
        TypeError,
        r"units .*2\.5",
    ),
    # --- a seed, a ragged list or None where a generator or an array is meant ---------------------
    (
        "init_params(rng=0)",
        lambda: numpy_rnn.init_params(3, 4, 3, 0),
        TypeError,
        r"rng must be a numpy\.random\.Generator",
    ),
    (
        "init_params(dtype=int)",
        lambda: numpy_rnn.init_params(3, 4, 3, rng(), dtype=int),
        TypeError,
        r"dtype must be a floating",
    ),
    ("sample(rng=None)", lambda: numpy_rnn.sample(params(), [0], 3, None), TypeError, r"rng must be a numpy"),
    (
        "forward(ragged xs)",
        lambda: numpy_rnn.forward(params(), [[1, 2], [3]]),
        TypeError,
        r"xs must be an array of numbers",
    ),
    ("softmax('abc')", lambda: numpy_rnn.softmax("abc"), TypeError, r"logits must be an array of numbers"),
    ("adding_problem(rng=42)", lambda: tasks.adding_problem(4, 10, 42), TypeError, r"rng must be a numpy"),
    ("random_walk(rng=None)", lambda: timeseries.random_walk(5, None), TypeError, r"rng must be a numpy"),
    (
        "random_walk(step='x')",
        lambda: timeseries.random_walk(5, rng(), "x"),
        TypeError,
        r"step must be a number",
    ),
    (
        "seasonal_series(amplitude=nan)",
        lambda: timeseries.seasonal_series(5, rng(), amplitude=NAN),
        ValueError,
        r"amplitude must be a finite",
    ),
    (
        "threshold_ar(noise=None)",
        lambda: timeseries.threshold_ar(5, rng(), noise=None),
        TypeError,
        r"noise must be a number",
    ),
    (
        "make_windows(series='abc')",
        lambda: timeseries.make_windows("abc", 2),
        TypeError,
        r"series must be an array of numbers",
    ),
    (
        "mae(ragged)",
        lambda: timeseries.mae([[1, 2], [3]], [1, 2]),
        TypeError,
        r"y_true must be an array of numbers",
    ),
    (
        "naive_forecast(None)",
        lambda: timeseries.naive_forecast(None),
        TypeError,
        r"x must be an array of numbers",
    ),
    (
        "make_tagging_data(rng=1)",
        lambda: tagging.make_tagging_data(4, 5, 3, 1),
        TypeError,
        r"rng must be a numpy",
    ),
    (
        "later_marker_tags(ragged)",
        lambda: tagging.later_marker_tags([[1, 2], [3]]),
        TypeError,
        r"ids must be an array of numbers",
    ),
    (
        "sentiment.make_dataset(rng=0)",
        lambda: sentiment.make_dataset(4, 4, 0),
        TypeError,
        r"rng must be a numpy",
    ),
    ("sentiment.label_of(3)", lambda: sentiment.label_of(3), TypeError, r"sentence must be a str, got int"),
    (
        "check_ids(ragged)",
        lambda: windows.check_ids([[1, 2], [3]]),
        TypeError,
        r"ids must be an array of numbers",
    ),
    (
        "count_windows(n_ids='abc')",
        lambda: windows.count_windows("abc", 2),
        TypeError,
        r"n_ids must be an integer, got 'abc'",
    ),
    (
        "lstm_forward(weights=None)",
        lambda: gates.lstm_forward(np.zeros((1, 2, 3)), None),
        TypeError,
        r"LSTM weights must be \[kernel, recurrent_kernel, bias\]",
    ),
    (
        "gru_forward(h0 ragged)",
        lambda: gates.gru_forward(
            np.zeros((1, 2, 3)), [np.zeros((3, 6)), np.zeros((2, 6)), np.zeros((2, 6))], [[1, 2], [3]]
        ),
        TypeError,
        r"h0 must be an array of numbers",
    ),
    (
        "relative_error('abc')",
        lambda: relative_error("abc", np.zeros(3)),
        TypeError,
        r"analytic must be an array of numbers",
    ),
    (
        "numerical_gradient(list)",
        lambda: numerical_gradient(lambda: 0.0, [1.0, 2.0]),
        TypeError,
        r"array must be the NumPy array",
    ),
    (
        "CharVocab(5)",
        lambda: CharVocab(5),
        TypeError,
        r"chars must be a str or an iterable of single characters, got int",
    ),
    ("WordVocab(None)", lambda: sentiment.WordVocab(None), TypeError, r"words must be an iterable"),
    (
        "WordVocab.encode(3)",
        lambda: sentiment.WordVocab(["a"]).encode(3),
        TypeError,
        r"sentence must be a str",
    ),
    (
        "WordVocab.decode([-1])",
        lambda: sentiment.WordVocab(["a"]).decode([-1]),
        ValueError,
        r"ids must lie in 0\.\.1, got \[-1\]",
    ),
    (
        "WordVocab.from_sentences(5)",
        lambda: sentiment.WordVocab.from_sentences(5),
        TypeError,
        r"sentences must be an iterable",
    ),
    # --- gradcheck --------------------------------------------------------------------------------
    (
        "relative_error(shapes differ)",
        lambda: relative_error(np.zeros(2), np.zeros(3)),
        ValueError,
        r"shapes differ",
    ),
    (
        "numerical_gradient(loss=None)",
        lambda: numerical_gradient(None, np.zeros(2)),
        TypeError,
        r"loss must be a function",
    ),
    (
        "check_gradients(missing)",
        lambda: check_gradients(lambda: 0.0, {"w": np.zeros(2)}, {}),
        ValueError,
        r"no analytic gradient for \['w'\]",
    ),
]


@pytest.mark.parametrize(("label", "call", "error", "message"), ROWS, ids=[row[0] for row in ROWS])
def test_bad_argument_is_refused_with_a_message_naming_it(label, call, error, message):
    with pytest.raises(error, match=message) as info:
        call()
    assert "\n" not in str(info.value), f"{label}: the message should be one line"


# --- integral floats are accepted: one rule for the whole package --------------------------


def test_integral_floats_are_accepted_as_sizes():
    out = numpy_rnn.sample(params(), [0], 2.0, rng())
    assert out.shape == (2,)
    np.testing.assert_array_equal(out, numpy_rnn.sample(params(), [0], 2, rng()))
    assert numpy_rnn.init_params(3.0, np.int64(4), 3, rng())["Whh"].shape == (4, 4)
    x, y = tasks.adding_problem(np.int32(3), 6.0, rng())
    assert x.shape == (3, 6, 2)
    assert windows.sliding_windows(np.arange(5), 2.0).shape == (4, 2)
    model = charmodels.build_char_model("onehot", 3.0, 16.0)
    assert model.get_layer("lstm").units == 16 and type(model.get_layer("lstm").units) is int


def test_shakespeare_sizes_follow_the_package_rule():
    from rnnbook import shakespeare

    dataset = shakespeare.make_dataset(np.arange(100) % 7, 5.0, 2, shuffle=False)
    inputs, _ = next(iter(dataset))
    assert inputs.shape == (2, 5)
    assert shakespeare.build_model(7, 4, 16.0).get_layer(shakespeare.LAYER_NAMES[1]).units == 16


# --- tiny temperatures sample near-greedily instead of overflowing ----------------------------


@pytest.mark.parametrize("temperature", [1e-39, 1e-300, 5e-324])
def test_every_accepted_temperature_samples_greedily_when_tiny(temperature):
    logits = np.array([[0.5, 3.0, -1.0], [2.0, 1.0, 1.5]])
    np.testing.assert_array_equal(charmodels.sample_ids(logits, temperature, rng()), [1, 0])
    np.testing.assert_array_equal(numpy_rnn.softmax(logits, temperature), [[0, 1, 0], [1, 0, 0]])
    p = params()
    greedy = numpy_rnn.sample(p, [0, 1], 6, rng(), temperature=temperature)
    again = numpy_rnn.sample(p, [0, 1], 6, np.random.default_rng(99), temperature=temperature)
    np.testing.assert_array_equal(greedy, again)  # no randomness left: argmax every step


# --- every checker fails in one line on a bad answer ---------------------------------------


def _raises(*args, **kwargs):
    raise ZeroDivisionError("division by zero in the student's code")


def _returns(value):
    return lambda *args, **kwargs: value


FUNCTION_CHECKERS = [
    (ch01.check_rnn_step, ()),
    (ch01.check_count_stacked_params, ()),
    (ch02.check_batch_bptt, ()),
    (ch03.check_clip_by_norm, ()),
    (ch03.check_state_jacobian, ()),
    (ch04.check_temperature_softmax, ()),
    (ch04.check_cross_entropy_and_grad, ()),
    (ch05.check_parameter_count, ()),
    (ch05.check_make_windows, ()),
    (ch06.check_lstm_step, ()),
    (ch06.check_gru_step_reset_before, ()),
    (ch07.check_next_char_windows, ()),
    (ch07.check_one_hot_bytes, ()),
    (ch07.check_temperature_probabilities, ()),
    (ch08.check_temperature_probs, ()),
    (ch08.check_loss_units, ()),
    (ch09.check_attention_pool, ()),
    (ch09.check_causal_ceiling, ()),
    (ch10.check_seasonal_naive, ()),
    (ch10.check_pad_with_mask, ()),
    (ch10.check_init_from_similar, ()),
    (ch11.check_masked_softmax, ()),
    (ch11.check_beam_step, ()),
]

BAD_ANSWERS = {
    "None": (None, r"expects .*; got None"),
    "not callable": (42, r"expects .*; got 42 \(int\)"),
    "raises": (_raises, r"your function raised ZeroDivisionError: division by zero in the student's code"),
    "returns None": (_returns(None), r"None"),
    "returns a string": (_returns("abc"), r"."),
    "returns the wrong shape": (_returns(np.zeros(7)), r"."),
    "returns a dict": (_returns({"a": 1}), r"."),
    "returns a ragged list": (_returns([[1, 2], [3]]), r"."),
    "returns a pair of strings": (_returns(("a", "b")), r"."),
}


@pytest.mark.parametrize("answer", list(BAD_ANSWERS), ids=list(BAD_ANSWERS))
@pytest.mark.parametrize(("check", "args"), FUNCTION_CHECKERS, ids=[c.__name__ for c, _ in FUNCTION_CHECKERS])
def test_every_checker_fails_in_one_line_on_a_bad_answer(check, args, answer):
    value, message = BAD_ANSWERS[answer]
    with pytest.raises(CheckFailed, match=message) as info:
        check(value, *args)
    assert "\n" not in str(info.value).strip()


@pytest.mark.parametrize("value", [None, 3, "abc", {"Wxh": "x"}, {"Wxh": np.zeros(3)}])
def test_running_sum_checker_fails_in_one_line_on_bad_params(value):
    with pytest.raises(CheckFailed) as info:
        ch01.check_running_sum(value)
    assert "\n" not in str(info.value).strip()


@pytest.mark.parametrize("model", [None, "model", _raises, _returns("abc")])
def test_model_shape_checker_fails_in_one_line(model):
    with pytest.raises(CheckFailed) as info:
        ch05.check_model_shapes(model, (4, 1), (1,))
    assert "\n" not in str(info.value).strip()


def test_a_gradient_check_that_raises_leaves_the_parameters_as_they_were():
    """Nothing a user made is lost: the perturbed entry is restored even when the loss raises."""
    weights = np.array([1.0, 2.0, 3.0])
    calls = []

    def failing_loss():
        calls.append(weights.copy())
        if len(calls) == 3:
            raise KeyboardInterrupt  # the reader pressed Ctrl-C mid-check
        return float(weights.sum())

    with pytest.raises(KeyboardInterrupt):
        numerical_gradient(failing_loss, weights)
    np.testing.assert_array_equal(weights, [1.0, 2.0, 3.0])
    assert not np.array_equal(calls[-1], weights)  # it had been perturbed when the loss ran
