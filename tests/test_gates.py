"""rnnbook.gates: NumPy LSTM and GRU layers reproduce Keras layers from their own weights."""

import numpy as np
import pytest

from rnnbook import gates

SIZES = [(1, 1, 1, 1), (3, 5, 2, 7), (2, 4, 6, 3)]  # (batch, time, n_in, units)


@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("rnnbook.keras_setup").load(seed=0)


def random_layer(keras, kind, n_in, units, rng, **options):
    """A Keras layer returning every step, with random weights (biases included)."""
    layer = getattr(keras.layers, kind)(units, return_sequences=True, **options)
    layer.build((None, None, n_in))
    layer.set_weights([rng.normal(scale=0.6, size=w.shape).astype(np.float32) for w in layer.get_weights()])
    return layer


@pytest.mark.parametrize("batch,steps,n_in,units", SIZES)
def test_lstm_matches_keras(keras, batch, steps, n_in, units):
    rng = np.random.default_rng(units)
    layer = random_layer(keras, "LSTM", n_in, units, rng)
    xs = rng.normal(size=(batch, steps, n_in)).astype(np.float32)
    out = gates.lstm_forward(xs, layer.get_weights())
    assert out["h"].dtype == np.float32 and out["h"].shape == (batch, steps, units)
    np.testing.assert_allclose(out["h"], np.asarray(layer(xs)), rtol=0, atol=1e-5)


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("batch,steps,n_in,units", SIZES)
def test_gru_matches_keras(keras, batch, steps, n_in, units, reset_after):
    rng = np.random.default_rng(units + 10)
    layer = random_layer(keras, "GRU", n_in, units, rng, reset_after=reset_after)
    xs = rng.normal(size=(batch, steps, n_in)).astype(np.float32)
    assert gates.gru_units(layer.get_weights()) == (units, reset_after)
    out = gates.gru_forward(xs, layer.get_weights())
    np.testing.assert_allclose(out["h"], np.asarray(layer(xs)), rtol=0, atol=1e-5)


def test_lstm_final_cell_state_matches_keras(keras):
    rng = np.random.default_rng(3)
    layer = keras.layers.LSTM(4, return_state=True)
    xs = rng.normal(size=(2, 6, 3)).astype(np.float32)
    _, h_last, c_last = layer(xs)
    out = gates.lstm_forward(xs, layer.get_weights())
    np.testing.assert_allclose(out["h"][:, -1], np.asarray(h_last), atol=1e-5)
    np.testing.assert_allclose(out["c"][:, -1], np.asarray(c_last), atol=1e-5)


def test_lstm_gates_are_in_range_and_build_the_states():
    rng = np.random.default_rng(0)
    weights = [rng.normal(size=(2, 12)), rng.normal(size=(3, 12)), rng.normal(size=12)]
    out = gates.lstm_forward(rng.normal(size=(2, 5, 2)), weights)
    for name in ("input", "forget", "output"):
        assert ((out[name] > 0) & (out[name] < 1)).all()
    assert (np.abs(out["candidate"]) < 1).all()
    c_prev = np.concatenate([np.zeros((2, 1, 3)), out["c"][:, :-1]], axis=1)
    np.testing.assert_allclose(out["c"], out["forget"] * c_prev + out["input"] * out["candidate"])
    np.testing.assert_allclose(out["h"], out["output"] * np.tanh(out["c"]))


def test_initial_states_are_used():
    rng = np.random.default_rng(1)
    weights = [rng.normal(size=(1, 8)), rng.normal(size=(2, 8)), np.zeros(8)]
    xs = np.zeros((1, 1, 1))
    h0, c0 = np.array([[0.5, -0.5]]), np.array([[2.0, -1.0]])
    out = gates.lstm_forward(xs, weights, h0=h0, c0=c0)
    h, c, _ = gates.lstm_step(xs[:, 0], h0, c0, *weights)
    np.testing.assert_allclose(out["h"][:, 0], h)
    np.testing.assert_allclose(out["c"][:, 0], c)
    assert not np.allclose(out["h"], gates.lstm_forward(xs, weights)["h"])


def test_gru_update_gate_keeps_the_old_state():
    # A huge update-gate bias makes z = 1: the state must not change at all.
    units = 3
    bias = np.zeros((2, 3 * units))
    bias[0, :units] = 50.0
    weights = [np.ones((2, 3 * units)), np.ones((units, 3 * units)), bias]
    h0 = np.array([[0.1, -0.2, 0.3]])
    out = gates.gru_forward(np.ones((1, 4, 2)), weights, h0=h0)
    np.testing.assert_allclose(out["h"][0], np.repeat(h0, 4, axis=0), atol=1e-12)


def test_sigmoid_is_stable_and_right():
    x = np.array([-1000.0, -1.0, 0.0, 2.0, 1000.0])
    np.testing.assert_allclose(gates.sigmoid(x), [0.0, 1 / (1 + np.e), 0.5, 1 / (1 + np.exp(-2)), 1.0])


def test_parameter_counts():
    assert gates.lstm_parameter_count(2, 8) == 4 * (8 * (2 + 8) + 8) == 352
    assert gates.gru_parameter_count(2, 8) == 3 * (8 * (2 + 8) + 2 * 8) == 288
    assert gates.gru_parameter_count(2, 8, reset_after=False) == 264


def test_parameter_counts_match_keras(keras):
    for n_in, units in ((1, 20), (3, 7)):
        for kind, count in (("LSTM", gates.lstm_parameter_count), ("GRU", gates.gru_parameter_count)):
            layer = getattr(keras.layers, kind)(units)
            layer.build((None, None, n_in))
            assert layer.count_params() == count(n_in, units)


@pytest.mark.parametrize(
    "n_in,units,match",
    [
        (0, 4, "n_in must be a positive integer, got 0"),
        (2, 2.5, "units must be a positive integer, got 2.5"),
        (True, 4, "n_in must be a positive integer, got True"),
    ],
)
def test_parameter_counts_reject_bad_sizes(n_in, units, match):
    with pytest.raises(ValueError, match=match):
        gates.lstm_parameter_count(n_in, units)
    with pytest.raises(ValueError, match=match):
        gates.gru_parameter_count(n_in, units)


# --- error paths: the message names the expected and the given shapes ---------------------


def lstm_weights(n_in=2, units=3):
    return [np.zeros((n_in, 4 * units)), np.zeros((units, 4 * units)), np.zeros(4 * units)]


def gru_weights(n_in=2, units=3):
    return [np.zeros((n_in, 3 * units)), np.zeros((units, 3 * units)), np.zeros((2, 3 * units))]


@pytest.mark.parametrize(
    "index,shape,match",
    [
        (0, (2, 9), r"LSTM kernel must have shape \(n_in, 4H\) = \(n_in, 12\) for 3 units, got \(2, 9\)"),
        (1, (3, 9), r"LSTM recurrent_kernel must have shape \(H, 4H\) = \(3, 12\) for 3 units, got \(3, 9\)"),
        (1, (12,), r"LSTM recurrent_kernel must have shape \(H, 4H\), got \(12,\)"),
        (2, (9,), r"LSTM bias must have shape \(4H,\) = \(12,\) for 3 units, got \(9,\)"),
        (2, (2, 12), r"LSTM bias must have shape \(4H,\) = \(12,\) for 3 units, got \(2, 12\)"),
    ],
)
def test_lstm_rejects_weights_of_the_wrong_shape(index, shape, match):
    weights = lstm_weights()
    weights[index] = np.zeros(shape)
    with pytest.raises(ValueError, match=match):
        gates.lstm_forward(np.zeros((1, 2, 2)), weights)


def test_gru_weights_given_to_the_lstm_are_refused():
    with pytest.raises(
        ValueError,
        match=r"LSTM recurrent_kernel must have shape \(H, 4H\) = "
        r"\(3, 12\) for 3 units, got \(3, 9\)",
    ):
        gates.lstm_forward(np.zeros((1, 2, 2)), gru_weights())


@pytest.mark.parametrize(
    "index,shape,match",
    [
        (0, (2, 12), r"GRU kernel must have shape \(n_in, 3H\) = \(n_in, 9\) for 3 units, got \(2, 12\)"),
        (
            2,
            (3, 9),
            r"GRU bias must have shape \(2, 3H\) = \(2, 9\) with reset_after=True or "
            r"\(3H,\) = \(9,\) with reset_after=False, for 3 units, got \(3, 9\)",
        ),
    ],
)
def test_gru_rejects_weights_of_the_wrong_shape(index, shape, match):
    weights = gru_weights()
    weights[index] = np.zeros(shape)
    with pytest.raises(ValueError, match=match):
        gates.gru_forward(np.zeros((1, 2, 2)), weights)


def test_missing_bias_is_refused():
    with pytest.raises(ValueError, match=r"\[kernel, recurrent_kernel, bias\].*got 2 array\(s\)"):
        gates.gru_forward(np.zeros((1, 2, 2)), gru_weights()[:2])


@pytest.mark.parametrize(
    "forward,weights", [(gates.lstm_forward, lstm_weights()), (gates.gru_forward, gru_weights())]
)
def test_inputs_of_the_wrong_shape_are_refused(forward, weights):
    with pytest.raises(ValueError, match=r"inputs must have shape \(batch, time, 2\), got \(4, 2\)"):
        forward(np.zeros((4, 2)), weights)
    with pytest.raises(ValueError, match=r"inputs must have shape \(batch, time, 2\), got \(4, 5, 3\)"):
        forward(np.zeros((4, 5, 3)), weights)


def test_initial_state_of_the_wrong_shape_is_refused():
    with pytest.raises(ValueError, match=r"LSTM initial c0 must have shape \(4, 3\), got \(3,\)"):
        gates.lstm_forward(np.zeros((4, 5, 2)), lstm_weights(), c0=np.zeros(3))
    with pytest.raises(ValueError, match=r"GRU initial h0 must have shape \(4, 3\), got \(1, 3\)"):
        gates.gru_forward(np.zeros((4, 5, 2)), gru_weights(), h0=np.zeros((1, 3)))


# --- mutation testing (tools/mutation.sh gates): the dtype kept and the names in errors ----


def float32_weights(kind, n_in=2, units=5, seed=0):
    rng = np.random.default_rng(seed)
    blocks = 4 if kind == "LSTM" else 3
    bias_shape = (4 * units,) if kind == "LSTM" else (2, 3 * units)
    shapes = [(n_in, blocks * units), (units, blocks * units), bias_shape]
    return [rng.normal(size=shape).astype(np.float32) for shape in shapes]


def test_float32_inputs_run_in_float32_step_by_step():
    # The forward pass is exactly the steps in float32 (zero or given float64 initial states
    # are cast to the inputs' dtype); a float64 state would change the last bits.
    rng = np.random.default_rng(4)
    xs = rng.normal(size=(3, 6, 2)).astype(np.float32)
    h0, c0 = rng.normal(size=(3, 5)), rng.normal(size=(3, 5))  # float64
    lstm = float32_weights("LSTM")
    for given_h0, given_c0 in [(None, None), (h0, c0)]:
        out = gates.lstm_forward(xs, lstm, h0=given_h0, c0=given_c0)
        h = np.zeros((3, 5), np.float32) if given_h0 is None else given_h0.astype(np.float32)
        c = np.zeros((3, 5), np.float32) if given_c0 is None else given_c0.astype(np.float32)
        for t in range(6):
            h, c, step_gates = gates.lstm_step(xs[:, t], h, c, *lstm)
            assert h.dtype == c.dtype == np.float32
            np.testing.assert_array_equal(out["h"][:, t], h)
            np.testing.assert_array_equal(out["c"][:, t], c)
        assert all(value.dtype == np.float32 for value in out.values())
    gru = float32_weights("GRU")
    for given_h0 in [None, h0]:
        out = gates.gru_forward(xs, gru, h0=given_h0)
        h = np.zeros((3, 5), np.float32) if given_h0 is None else given_h0.astype(np.float32)
        for t in range(6):
            h, _ = gates.gru_step(xs[:, t], h, *gru)
            assert h.dtype == np.float32
            np.testing.assert_array_equal(out["h"][:, t], h)
        assert all(value.dtype == np.float32 for value in out.values())


@pytest.mark.parametrize("forward,kind", [(gates.lstm_forward, "LSTM"), (gates.gru_forward, "GRU")])
def test_output_dtype_is_that_of_inputs_and_weights_together(forward, kind):
    weights32 = float32_weights(kind)
    xs = np.ones((1, 2, 2))
    assert forward(xs, weights32)["h"].dtype == np.float64  # float64 inputs, float32 weights
    weights64 = [w.astype(np.float64) for w in weights32]
    assert forward(xs.astype(np.float32), weights64)["h"].dtype == np.float64


def test_errors_name_the_layer_and_the_argument():
    with pytest.raises(TypeError, match=r"LSTM weights must be \[kernel, recurrent_kernel, bias\].*got str"):
        gates.lstm_forward(np.zeros((1, 2, 2)), "weights")
    bad = lstm_weights()
    bad[0] = "kernel"
    with pytest.raises(TypeError, match=r"^LSTM weights must be an array of numbers"):
        gates.lstm_forward(np.zeros((1, 2, 2)), bad)
    for forward, weights, kind in [
        (gates.lstm_forward, lstm_weights(), "LSTM"),
        (gates.gru_forward, gru_weights(), "GRU"),
    ]:
        with pytest.raises(TypeError, match=r"^xs must be an array of numbers"):
            forward("abc", weights)
        with pytest.raises(ValueError, match=rf"^{kind} inputs must have shape \(batch, time, 2\)"):
            forward(np.zeros((1, 2, 3)), weights)
        with pytest.raises(ValueError, match=rf"^{kind} initial h0 must have shape \(1, 3\), got \(2, 3\)"):
            forward(np.zeros((1, 2, 2)), weights, h0=np.zeros((2, 3)))


def test_empty_recurrent_kernel_columns_name_the_units():
    weights = lstm_weights()
    weights[1] = np.zeros((3, 0))
    with pytest.raises(
        ValueError, match=r"recurrent_kernel must have shape \(H, 4H\) = \(3, 12\) for 3 units"
    ):
        gates.lstm_forward(np.zeros((1, 2, 2)), weights)
