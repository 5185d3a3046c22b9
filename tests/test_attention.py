"""The attention-pooling layer of chapter 9."""

import numpy as np
import pytest

from rnnbook.attention import AttentionPooling, keras


def test_weights_sum_to_one_and_pool_is_the_weighted_sum():
    x = np.random.default_rng(0).normal(size=(4, 6, 3)).astype("float32")
    pooled, weights = (np.asarray(t) for t in AttentionPooling(5)(x))
    assert pooled.shape == (4, 3) and weights.shape == (4, 6)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, rtol=1e-5)
    assert np.all(weights > 0)
    np.testing.assert_allclose(pooled, np.einsum("bt,btd->bd", weights, x), rtol=1e-5, atol=1e-6)


def test_equal_time_steps_get_equal_weights():
    x = np.ones((2, 4, 3), dtype="float32")
    _, weights = AttentionPooling(2)(x)
    np.testing.assert_allclose(np.asarray(weights), 0.25, rtol=1e-6)


def test_layer_learns_to_attend_to_the_marked_step():
    rng = np.random.default_rng(1)
    n, steps = 512, 8
    x = rng.normal(size=(n, steps, 2)).astype("float32")
    x[:, :, 1] = 0.0
    marked = rng.integers(0, steps, size=n)
    x[np.arange(n), marked, 1] = 1.0
    y = x[np.arange(n), marked, :1]
    keras.utils.set_random_seed(0)
    inputs = keras.Input((steps, 2))
    pooled, weights = AttentionPooling(8)(inputs)
    model = keras.Model(inputs, keras.layers.Dense(1)(pooled))
    model.compile(keras.optimizers.Adam(0.03), "mse")
    model.fit(x, y, epochs=30, batch_size=64, verbose=0)
    attention = np.asarray(keras.Model(inputs, weights)(x[:64]))
    assert np.mean(attention[np.arange(64), marked[:64]]) > 0.8


def test_functional_model_reports_both_output_shapes_and_round_trips_its_config():
    inputs = keras.Input((None, 7))
    pooled, weights = AttentionPooling(3, name="pool")(inputs)
    assert tuple(pooled.shape) == (None, 7) and tuple(weights.shape) == (None, None)
    layer = AttentionPooling.from_config(AttentionPooling(3).get_config())
    assert layer.units == 3


@pytest.mark.parametrize("units", [0, -2, 2.5, True])
def test_rejects_non_positive_units(units):
    with pytest.raises(ValueError, match="units must be a positive integer"):
        AttentionPooling(units)


def test_rejects_inputs_that_are_not_sequences():
    with pytest.raises(ValueError, match=r"expects sequences of shape \(batch, time, features\).*\(2, 5\)"):
        AttentionPooling(4)(np.zeros((2, 5), dtype="float32"))
