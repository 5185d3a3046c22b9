"""rnnbook.stateful: the stream layout, its errors, and the reset callback on a Keras 3 model."""

import numpy as np
import pytest

from rnnbook import stateful


def test_row_b_of_batch_k_plus_1_continues_row_b_of_batch_k():
    ids = np.arange(1000)
    x, y = stateful.stream_batches(ids, seq_length=7, batch_size=4)
    k_batches = (len(ids) - 1) // (4 * 7)
    assert x.shape == y.shape == (k_batches * 4, 7) and x.dtype == np.int32
    batches = x.reshape(k_batches, 4, 7)
    for k in range(k_batches - 1):
        for b in range(4):
            assert batches[k + 1, b, 0] == batches[k, b, -1] + 1  # the next character
    assert np.array_equal(y, x + 1)  # targets are the inputs shifted by one
    # every stream is a contiguous stretch, the streams one after another
    streams = batches.transpose(1, 0, 2).reshape(4, -1)
    assert np.array_equal(streams.ravel(), np.arange(4 * k_batches * 7))


def test_streams_read_the_text():
    text = np.array([5, 3, 9, 1, 4, 4, 8, 2, 6, 0, 7], dtype=np.int64)
    x, y = stateful.stream_batches(text, seq_length=2, batch_size=2)
    # two streams of 2 batches x 2 characters: ids[0:5] and ids[4:9]
    assert x.tolist() == [[5, 3], [4, 4], [9, 1], [8, 2]]
    assert y.tolist() == [[3, 9], [4, 8], [1, 4], [2, 6]]


def test_n_batches_keeps_the_first_batches():
    ids = np.arange(500)
    x_all, _ = stateful.stream_batches(ids, 5, 3)
    x, y = stateful.stream_batches(ids, 5, 3, n_batches=4)
    assert x.shape == (12, 5)
    assert np.array_equal(y, x + 1)
    assert x[3, 0] == x[0, -1] + 1  # still streams, over a shorter stretch each
    assert len(x_all) == 3 * stateful.n_stream_batches(500, 5, 3)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"ids": np.arange(100), "seq_length": 0, "batch_size": 2}, "seq_length"),
        ({"ids": np.arange(100), "seq_length": 5, "batch_size": -1}, "batch_size"),
        ({"ids": np.arange(100), "seq_length": 5.5, "batch_size": 2}, "seq_length"),
        ({"ids": np.arange(10), "seq_length": 5, "batch_size": 2}, "ids"),
        ({"ids": np.ones((4, 30), int), "seq_length": 5, "batch_size": 2}, "ids"),
        ({"ids": np.linspace(0, 1, 100), "seq_length": 5, "batch_size": 2}, "ids"),
        ({"ids": np.arange(100), "seq_length": 5, "batch_size": 2, "n_batches": 10}, "n_batches"),
        ({"ids": np.arange(100), "seq_length": 5, "batch_size": 2, "n_batches": 0}, "n_batches"),
    ],
)
def test_bad_arguments_name_themselves(kwargs, name):
    with pytest.raises(ValueError, match=name):
        stateful.stream_batches(**kwargs)


def test_just_enough_ids_for_one_batch():
    x, y = stateful.stream_batches(np.arange(11), 5, 2)
    assert x.shape == (2, 5) and y[-1, -1] == 10
    with pytest.raises(ValueError, match="at least batch_size \\* seq_length \\+ 1 = 11"):
        stateful.stream_batches(np.arange(10), 5, 2)


def _stateful_model(keras, batch=2, steps=3):
    ids = keras.Input(batch_shape=(batch, steps), dtype="int32")
    x = keras.layers.Embedding(5, 3)(ids)
    x = keras.layers.LSTM(4, stateful=True, return_sequences=True, name="lstm")(x)
    return keras.Model(ids, keras.layers.Dense(5)(x))


def test_reset_states_zeroes_the_carried_state():
    from rnnbook import keras_setup

    keras = keras_setup.load(seed=0)
    model = _stateful_model(keras)
    x = np.array([[1, 2, 3], [3, 2, 1]], dtype=np.int32)
    first = model(x).numpy()
    second = model(x).numpy()
    assert not np.allclose(first, second)  # the state was carried
    assert stateful.reset_states(model) == 1
    assert all(not np.any(v.numpy()) for v in model.get_layer("lstm").states)
    assert np.allclose(model(x).numpy(), first)  # from zeros again


def test_callback_resets_at_each_epoch_and_before_evaluation():
    from rnnbook import keras_setup

    keras = keras_setup.load(seed=0)
    model = _stateful_model(keras)
    model.compile(optimizer="sgd", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    x, y = stateful.stream_batches(np.arange(25) % 5, 3, 2)
    calls = []

    class Spy(stateful.ResetStates):
        def on_epoch_begin(self, epoch, logs=None):
            super().on_epoch_begin(epoch, logs)
            calls.append("epoch")
            assert not np.any(self.model.get_layer("lstm").states[0].numpy())

        def on_test_begin(self, logs=None):
            super().on_test_begin(logs)
            calls.append("test")
            assert not np.any(self.model.get_layer("lstm").states[0].numpy())

    model.fit(
        x, y, batch_size=2, epochs=2, shuffle=False, verbose=0, validation_data=(x, y), callbacks=[Spy()]
    )
    assert calls == ["epoch", "test", "epoch", "test"]


def test_reset_states_refuses_a_model_without_state():
    from rnnbook import keras_setup

    keras = keras_setup.load(seed=0)
    ids = keras.Input(shape=(None,), dtype="int32")
    plain = keras.Model(ids, keras.layers.LSTM(2)(keras.layers.Embedding(5, 3)(ids)))
    with pytest.raises(ValueError, match="stateful=True"):
        stateful.reset_states(plain)
