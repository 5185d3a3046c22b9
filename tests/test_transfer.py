"""rnnbook.transfer: extending a character model's vocabulary, keeping what it learned."""

import numpy as np
import pytest

from rnnbook import transfer
from rnnbook.vocab import CharVocab


def test_extend_vocab_keeps_old_ids_and_appends_new_characters_sorted():
    old = CharVocab.from_text("abc ")
    new = transfer.extend_vocab(old, "a cab, _ZZ")
    assert new.chars[: len(old)] == old.chars
    assert new.chars[len(old) :] == [",", "Z", "_"]
    assert all(new.index[c] == old.index[c] for c in old.chars)
    assert transfer.extend_vocab(old, "cab").chars == old.chars
    with pytest.raises(ValueError, match="vocab must be a CharVocab, got str"):
        transfer.extend_vocab("abc", "d")


def test_extend_embedding_keeps_rows_and_adds_the_mean_row():
    table = np.arange(12, dtype=np.float32).reshape(4, 3)
    out = transfer.extend_embedding(table, 2)
    assert out.shape == (6, 3) and out.dtype == np.float32
    np.testing.assert_array_equal(out[:4], table)
    np.testing.assert_allclose(out[4], table.mean(axis=0))
    np.testing.assert_array_equal(transfer.extend_embedding(table, 0), table)


def test_extend_output_keeps_columns_and_adds_zero_columns_with_min_bias():
    kernel = np.arange(6, dtype=np.float32).reshape(2, 3)
    bias = np.array([0.5, -1.0, 2.0], dtype=np.float32)
    new_kernel, new_bias = transfer.extend_output(kernel, bias, 2)
    assert new_kernel.shape == (2, 5) and new_bias.shape == (5,)
    np.testing.assert_array_equal(new_kernel[:, :3], kernel)
    np.testing.assert_array_equal(new_kernel[:, 3:], 0)
    np.testing.assert_array_equal(new_bias, [0.5, -1.0, 2.0, -1.0, -1.0])


@pytest.mark.parametrize(
    "call,match",
    [
        (
            lambda: transfer.extend_embedding(np.zeros(4), 1),
            r"must be a non-empty 2-D array, got shape \(4,\)",
        ),
        (lambda: transfer.extend_embedding(np.zeros((0, 3)), 1), "non-empty 2-D array"),
        (
            lambda: transfer.extend_embedding(np.zeros((4, 3)), -1),
            "n_new must be a non-negative integer, got -1",
        ),
        (lambda: transfer.extend_embedding(np.zeros((4, 3)), 1.5), "n_new must be a non-negative integer"),
        (lambda: transfer.extend_output(np.zeros((2, 3)), np.zeros(4), 1), r"bias must have shape \(3,\)"),
        (lambda: transfer.extend_output(np.zeros((2, 3)), np.zeros(3), True), "n_new must be"),
    ],
)
def test_bad_input_is_rejected(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def _char_model(keras, vocab_size, seed=0):
    keras.utils.set_random_seed(seed)
    return keras.Sequential(
        [
            keras.Input(shape=(None,), dtype="int32"),
            keras.layers.Embedding(vocab_size, 4),
            keras.layers.LSTM(6, return_sequences=True),
            keras.layers.Dense(vocab_size),
        ]
    )


def test_extend_char_model_keeps_old_predictions_up_to_renormalisation():
    from rnnbook import keras_setup

    keras = keras_setup.load(seed=0)
    old_vocab = CharVocab.from_text("abcde ")
    new_vocab = transfer.extend_vocab(old_vocab, "xyz")
    old = _char_model(keras, len(old_vocab), seed=0)
    new = transfer.extend_char_model(old, _char_model(keras, len(new_vocab), seed=1), 3)
    ids = old_vocab.encode("abc de edcba")[None, :]
    old_logits = np.asarray(old(ids))
    new_logits = np.asarray(new(ids))
    np.testing.assert_allclose(new_logits[..., :6], old_logits, atol=1e-6)  # old logits unchanged
    old_p = np.asarray(keras.ops.softmax(old_logits))
    new_p = np.asarray(keras.ops.softmax(new_logits))
    renormalised = new_p[..., :6] / new_p[..., :6].sum(axis=-1, keepdims=True)
    np.testing.assert_allclose(renormalised, old_p, atol=1e-6)
    # A new character's logit is the smallest old bias at every step, whatever the input.
    np.testing.assert_allclose(new_logits[..., 6:], np.asarray(old.layers[-1].bias).min(), atol=1e-7)
    # Text with new characters runs through the extended model.
    assert np.asarray(new(new_vocab.encode("xyz abc")[None, :])).shape == (1, 7, 9)


def test_extend_char_model_rejects_mismatched_models():
    from rnnbook import keras_setup

    keras = keras_setup.load(seed=0)
    old = _char_model(keras, 5)
    with pytest.raises(ValueError, match=r"layer .*: the extended weights have shapes"):
        transfer.extend_char_model(old, _char_model(keras, 9), 3)
    shallow = keras.Sequential([keras.Input(shape=(None,), dtype="int32"), keras.layers.Embedding(8, 4)])
    with pytest.raises(ValueError, match="the models differ: 3 layers with weights against 1"):
        transfer.extend_char_model(old, shallow, 3)
