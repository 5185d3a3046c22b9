"""Chapter 5's checkers: right answers pass, wrong ones get a specific message."""

import numpy as np
import pytest

from rnnbook.checks import CheckFailed, ch05


def right_count(kind, units, features):
    blocks, biases = {"SimpleRNN": (1, 1), "LSTM": (4, 1), "GRU": (3, 2)}[kind]
    return blocks * (units * (features + units) + biases * units)


def test_expected_parameter_counts_for_the_chapter_sizes():
    assert ch05.expected_parameter_count("SimpleRNN", 20, 1) == 440
    assert ch05.expected_parameter_count("LSTM", 20, 1) == 1760
    assert ch05.expected_parameter_count("GRU", 20, 1) == 1380


@pytest.mark.parametrize(
    "kind,units,features,match",
    [
        ("RNN", 20, 1, "kind must be one of SimpleRNN, LSTM, GRU, got 'RNN'"),
        ("LSTM", 0, 1, "units must be a positive integer, got 0"),
        ("GRU", 20, 2.0, "features must be a positive integer, got 2.0"),
        ("GRU", True, 2, "units must be a positive integer, got True"),
    ],
)
def test_expected_parameter_count_rejects_bad_arguments(kind, units, features, match):
    with pytest.raises(ValueError, match=match):
        ch05.expected_parameter_count(kind, units, features)


def test_parameter_count_checker(capsys):
    ch05.check_parameter_count(right_count)
    assert capsys.readouterr().out.startswith("Correct!")

    def one_gru_bias(kind, units, features):
        if kind == "GRU":
            return 3 * (units * (features + units) + units)
        return right_count(kind, units, features)

    with pytest.raises(CheckFailed, match=r"GRU\(20\) on 1 feature\(s\): got 1320, expected 1380 .*TWO"):
        ch05.check_parameter_count(one_gru_bias)
    with pytest.raises(CheckFailed, match=r"SimpleRNN: the function returned None"):
        ch05.check_parameter_count(lambda kind, units, features: None)
    with pytest.raises(CheckFailed, match=r"LSTM\(20\) on 1 feature\(s\): got 440, expected 1760 .*four"):
        ch05.check_parameter_count(lambda k, u, f: u * (f + u) + u)


def right_windows(series, window):
    x = np.lib.stride_tricks.sliding_window_view(series[:-1], window)
    return x[..., None], series[window:, None]


def test_make_windows_checker_accepts_a_right_answer(capsys):
    ch05.check_make_windows(right_windows)
    assert "x (8, 4, 1), y (8, 1)" in capsys.readouterr().out


@pytest.mark.parametrize(
    "wrong,match",
    [
        (lambda s, w: right_windows(s, w)[0][..., 0], "must return a pair"),
        (
            lambda s, w: (right_windows(s, w)[0][..., 0], right_windows(s, w)[1]),
            r"x has shape \(8, 4\), expected \(8, 4, 1\): add the feature axis",
        ),
        (
            lambda s, w: (right_windows(s, w)[0].transpose(0, 2, 1), right_windows(s, w)[1]),
            r"x has shape \(8, 1, 4\), expected \(8, 4, 1\): time and features are swapped",
        ),
        (
            lambda s, w: (right_windows(s, w)[0], right_windows(s, w)[1][:, 0]),
            r"y has shape \(8,\), expected \(8, 1\)",
        ),
        (
            lambda s, w: (right_windows(s, w)[0], right_windows(s, w)[1] - 1),
            r"y is wrong at index \(0, 0\): got 13, expected 14",
        ),
        (
            lambda s, w: (right_windows(s, w)[0][:-1], right_windows(s, w)[1][:-1]),
            r"x has shape \(7, 4, 1\), expected \(8, 4, 1\)",
        ),
        (lambda s, w: (None, None), "x is None"),
    ],
)
def test_make_windows_checker_names_the_wrong_shape_or_value(wrong, match):
    with pytest.raises(CheckFailed, match=match):
        ch05.check_make_windows(wrong)


class FakeModel:
    """Stands in for a Keras model: maps (batch, *input) to a fixed output shape."""

    def __init__(self, input_shape, output_shape):
        self.input_shape, self.output_shape = tuple(input_shape), tuple(output_shape)

    def __call__(self, x):
        if x.shape[1:] != self.input_shape:
            raise ValueError(f"expected shape=(None, {self.input_shape}), found shape={x.shape}")
        return np.zeros((x.shape[0], *self.output_shape))


def test_model_shape_checker_with_stand_in_models(capsys):
    ch05.check_model_shapes(FakeModel((12, 3), (12, 1)), (12, 3), (12, 1))
    assert "inputs (batch, 12, 3) -> outputs (batch, 12, 1)" in capsys.readouterr().out
    with pytest.raises(
        CheckFailed,
        match=r"outputs shape \(batch, 1\), expected \(batch, 12, 1\): "
        r".*return_sequences=True",
    ):
        ch05.check_model_shapes(FakeModel((12, 3), (1,)), (12, 3), (12, 1))
    with pytest.raises(
        CheckFailed,
        match=r"outputs shape \(batch, 12, 1\), expected \(batch, 1\): "
        r".*drop return_sequences=True",
    ):
        ch05.check_model_shapes(FakeModel((12, 3), (12, 1)), (12, 3), (1,))
    with pytest.raises(CheckFailed, match=r"cannot take inputs of shape \(batch, 12, 3\): expected shape"):
        ch05.check_model_shapes(FakeModel((12, 1), (12, 1)), (12, 3), (12, 1))
    with pytest.raises(CheckFailed, match="expects a Keras model .*got None"):
        ch05.check_model_shapes(None, (12, 3), (12, 1))


def test_model_shape_checker_with_real_keras_models(capsys):
    keras = pytest.importorskip("rnnbook.keras_setup").load(seed=0)
    right = keras.Sequential(
        [keras.Input((12, 3)), keras.layers.GRU(4, return_sequences=True), keras.layers.Dense(1)]
    )
    ch05.check_model_shapes(right, (12, 3), (12, 1))
    assert capsys.readouterr().out.startswith("Correct!")
    last_step_only = keras.Sequential([keras.Input((12, 3)), keras.layers.GRU(4), keras.layers.Dense(1)])
    with pytest.raises(CheckFailed, match="return_sequences=True"):
        ch05.check_model_shapes(last_step_only, (12, 3), (12, 1))
    one_feature = keras.Sequential(
        [keras.Input((12, 1)), keras.layers.GRU(4, return_sequences=True), keras.layers.Dense(1)]
    )
    with pytest.raises(CheckFailed, match=r"cannot take inputs of shape \(batch, 12, 3\)"):
        ch05.check_model_shapes(one_feature, (12, 3), (12, 1))
    # Keras' own counts agree with the formula the exercise asks for.
    for kind in ch05.LAYER_KINDS:
        layer = getattr(keras.layers, kind)(7)
        keras.Sequential([keras.Input((5, 3)), layer])
        assert layer.count_params() == ch05.expected_parameter_count(kind, 7, 3)


def test_model_shape_checker_checks_the_layer_the_exercise_asks_for(capsys):
    keras = pytest.importorskip("rnnbook.keras_setup").load(seed=0)

    def per_step(layer):
        return keras.Sequential([keras.Input((12, 3)), layer, keras.layers.Dense(1)])

    ch05.check_model_shapes(
        per_step(keras.layers.GRU(16, return_sequences=True)), (12, 3), (12, 1), layer=("GRU", 16)
    )
    assert capsys.readouterr().out.startswith("Correct!")
    with pytest.raises(CheckFailed, match=r"needs a GRU\(16\) layer; its layers are: LSTM\(16\), Dense\(1\)"):
        ch05.check_model_shapes(
            per_step(keras.layers.LSTM(16, return_sequences=True)), (12, 3), (12, 1), layer=("GRU", 16)
        )
    with pytest.raises(CheckFailed, match=r"needs a GRU\(16\) layer; its layers are: GRU\(8\)"):
        ch05.check_model_shapes(
            per_step(keras.layers.GRU(8, return_sequences=True)), (12, 3), (12, 1), layer=("GRU", 16)
        )
    with pytest.raises(CheckFailed, match=r"expected a Keras model with a GRU\(16\) layer"):
        ch05.check_model_shapes(FakeModel((12, 3), (12, 1)), (12, 3), (12, 1), layer=("GRU", 16))
