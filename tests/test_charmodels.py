"""rnnbook.charmodels: input encodings, the models' shapes and sizes, batches, sampling and its errors."""

import numpy as np
import pytest

from rnnbook import charmodels, windows
from rnnbook.vocab import CharVocab

VOCAB = CharVocab.from_text("abcde fgh.")
V = len(VOCAB)


def test_encodings_have_the_documented_shapes_and_values():
    ids = np.array([[0, 3, V - 1]])
    one_hot = charmodels.encode_inputs(ids, "onehot", V)
    assert one_hot.shape == (1, 3, V) and one_hot.dtype == np.float32
    np.testing.assert_array_equal(one_hot.argmax(-1), ids)
    assert one_hot.sum() == 3
    plain = charmodels.encode_inputs(ids, "embedding", V)
    assert plain.dtype == np.int32 and plain.shape == (1, 3)
    scaled = charmodels.encode_inputs(ids, "scaled", V)
    assert scaled.shape == (1, 3, 1)
    np.testing.assert_allclose(scaled[0, :, 0], ids[0] / V)


@pytest.mark.parametrize("kind,per_window", [("onehot", 100 * 65 * 4), ("embedding", 400), ("scaled", 400)])
def test_input_bytes_match_the_encoded_arrays(kind, per_window):
    assert charmodels.input_bytes(kind, 3, 100, 65) == 3 * per_window
    encoded = charmodels.encode_inputs(np.zeros((3, 100), dtype=np.int32), kind, 65)
    assert encoded.nbytes == 3 * per_window


@pytest.mark.parametrize(
    "kind,embedding_dim,expected",
    [
        ("onehot", None, 4 * 8 * (V + 8 + 1) + 8 * V + V),
        ("embedding", 4, V * 4 + 4 * 8 * (4 + 8 + 1) + 8 * V + V),
        ("scaled", None, 4 * 8 * (1 + 8 + 1) + 8 * V + V),
    ],
)
def test_models_have_the_expected_parameters_and_output_shape(kind, embedding_dim, expected):
    model = charmodels.build_char_model(kind, V, 8, embedding_dim=embedding_dim, seed=0)
    assert model.count_params() == expected
    x = charmodels.encode_inputs(np.zeros((2, 7), dtype=np.int32), kind, V)
    assert tuple(model(x).shape) == (2, 7, V)


def test_same_seed_gives_the_same_initial_weights():
    first = charmodels.build_char_model("onehot", V, 4, cell="SimpleRNN", seed=3)
    second = charmodels.build_char_model("onehot", V, 4, cell="SimpleRNN", seed=3)
    for a, b in zip(first.get_weights(), second.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_window_batches_encode_one_batch_at_a_time():
    x, y = windows.next_char_windows(np.arange(50) % V, 6)
    batches = charmodels.WindowBatches(x, y, 8, "onehot", V, steps=3, seed=1)
    assert len(batches) == 3
    inputs, targets = batches[0]
    assert inputs.shape == (8, 6, V) and targets.shape == (8, 6) and targets.dtype == np.int32
    np.testing.assert_array_equal(inputs.argmax(-1)[:, 1:], targets[:, :-1])  # targets shifted by one
    again = charmodels.WindowBatches(x, y, 8, "embedding", V, steps=3, seed=1)
    np.testing.assert_array_equal(again[0][0], inputs.argmax(-1))  # same seed, same windows
    ordered = charmodels.WindowBatches(x, y, 8, "scaled", V, shuffle=False)
    assert len(ordered) == 6  # 44 windows: five full batches and a partial one
    assert len(ordered[5][1]) == 4
    np.testing.assert_array_equal(ordered[0][1], y[:8])


def test_a_model_fits_window_batches():
    x, y = windows.next_char_windows(np.arange(60) % V, 5)
    model = charmodels.build_char_model("embedding", V, 8, embedding_dim=3, seed=0)
    history = model.fit(charmodels.WindowBatches(x, y, 16, "embedding", V), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["loss"]).all()


def test_temperature_probabilities_sharpen_and_flatten():
    logits = np.array([2.0, 1.0, 0.0])
    cold = charmodels.temperature_probabilities(logits, 0.1)
    hot = charmodels.temperature_probabilities(logits, 100.0)
    assert cold[0] > 0.99 and np.allclose(hot, 1 / 3, atol=0.01)
    big = charmodels.temperature_probabilities(np.array([1000.0, 999.0]), 1.0)
    np.testing.assert_allclose(big, [1 / (1 + np.exp(-1)), 1 / (1 + np.exp(1))])


def test_sample_ids_follow_the_probabilities():
    rng = np.random.default_rng(0)
    logits = np.log(np.array([[0.7, 0.2, 0.1]] * 20_000))
    counts = np.bincount(charmodels.sample_ids(logits, 1.0, rng), minlength=3) / 20_000
    np.testing.assert_allclose(counts, [0.7, 0.2, 0.1], atol=0.02)
    assert charmodels.sample_ids(np.array([0.0, 50.0, 0.0]), 1.0, rng) == 1


def test_generate_returns_the_requested_number_of_known_characters():
    model = charmodels.build_char_model("onehot", V, 4, seed=0)
    text = charmodels.generate(model, VOCAB, "abc", 12, kind="onehot", window=5, rng=np.random.default_rng(0))
    assert len(text) == 12 and not VOCAB.unknown(text)
    again = charmodels.generate(
        model, VOCAB, "abc", 12, kind="onehot", window=5, rng=np.random.default_rng(0)
    )
    assert again == text


@pytest.fixture(scope="module")
def tiny_model():
    return charmodels.build_char_model("scaled", V, 2, seed=0)


@pytest.mark.parametrize(
    "call,match",
    [
        (
            lambda m: charmodels.generate(m, VOCAB, "abc", 5, kind="scaled", temperature=0),
            "temperature must be a positive, finite number, got 0",
        ),
        (lambda m: charmodels.generate(m, VOCAB, "abc", 5, kind="scaled", temperature=-1.5), "got -1.5"),
        (
            lambda m: charmodels.generate(m, VOCAB, "abc", 5, kind="scaled", temperature="hot"),
            "temperature must be a positive number, got 'hot'",
        ),
        (
            lambda m: charmodels.generate(m, VOCAB, "abZ", 5, kind="scaled"),
            r"not in the vocabulary: \['Z'\]; the model knows only these 10: ' .abcdefgh'",
        ),
        (lambda m: charmodels.generate(m, VOCAB, "", 5, kind="scaled"), "non-empty string"),
        (
            lambda m: charmodels.generate(m, VOCAB, "ab", 0, kind="scaled"),
            "length must be a positive integer, got 0",
        ),
        (
            lambda m: charmodels.generate(m, VOCAB, "ab", 3, kind="scaled", window=0),
            "window must be a positive integer, got 0",
        ),
        (
            lambda m: charmodels.generate(m, VOCAB, "ab", 3, kind="words"),
            "kind must be one of 'onehot', 'embedding', 'scaled', got 'words'",
        ),
    ],
)
def test_generate_rejects_bad_arguments(tiny_model, call, match):
    with pytest.raises(ValueError, match=match):
        call(tiny_model)


@pytest.mark.parametrize(
    "call,match",
    [
        (
            lambda: charmodels.encode_inputs(np.arange(5), "onehot", V),
            r"2-D integer array \(batch, time\), got shape \(5,\)",
        ),
        (lambda: charmodels.encode_inputs(np.zeros((2, 3)), "onehot", V), "dtype float64"),
        (
            lambda: charmodels.encode_inputs(np.array([[0, V]]), "onehot", V),
            rf"ids must lie in 0..{V - 1} \(vocab_size={V}\), got values from 0 to {V}",
        ),
        (
            lambda: charmodels.encode_inputs(np.array([[0]]), "onehot", 0),
            "vocab_size must be a positive integer, got 0",
        ),
        (lambda: charmodels.input_bytes("onehot", -1, 100, 65), "n_windows must be an integer >= 0, got -1"),
        (lambda: charmodels.build_char_model("onehot", V, 0), "units must be a positive integer, got 0"),
        (
            lambda: charmodels.build_char_model("embedding", V, 4),
            "embedding_dim must be a positive integer, got None",
        ),
        (
            lambda: charmodels.build_char_model("onehot", V, 4, embedding_dim=3),
            "embedding_dim is only for kind='embedding', got 3 for 'onehot'",
        ),
        (
            lambda: charmodels.build_char_model("onehot", V, 4, cell="RNN"),
            "cell must be one of SimpleRNN, LSTM, GRU, got 'RNN'",
        ),
        (
            lambda: charmodels.build_char_model("onehot", V, 4, learning_rate=0),
            "learning_rate must be a positive number, got 0",
        ),
        (lambda: charmodels.temperature_probabilities(np.array([]), 1.0), r"non-empty last axis .*\(0,\)"),
        (
            lambda: charmodels.WindowBatches(np.zeros((4, 3), int), np.zeros((4, 2), int), 2, "onehot", V),
            r"same shape \(n, time\), got \(4, 3\) and \(4, 2\)",
        ),
        (
            lambda: charmodels.WindowBatches(np.zeros((4, 3), int), np.zeros((4, 3), int), 0, "onehot", V),
            "batch_size must be a positive integer, got 0",
        ),
        (
            lambda: charmodels.WindowBatches(
                np.zeros((4, 3), int), np.zeros((4, 3), int), 2, "onehot", V, steps=3
            ),
            "steps \\* batch_size = 6 windows per epoch, but there are only 4 windows",
        ),
    ],
)
def test_bad_arguments_say_what_was_expected_and_given(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# --- sampling values, not only shapes (issue 16) -------------------------------------------


@pytest.mark.parametrize("temperature", [0.5, 2.0])
def test_sample_ids_follow_softmax_of_logits_over_the_temperature(temperature):
    logits = np.array([2.0, 0.5, -1.0, 0.0])
    n = 40_000
    draws = charmodels.sample_ids(np.tile(logits, (n, 1)), temperature, np.random.default_rng(5))
    freq = np.bincount(draws, minlength=4) / n
    e = np.exp(logits / temperature)
    exact = e / e.sum()  # written out here, independent of the library
    ignored = np.exp(logits) / np.exp(logits).sum()  # what a sampler that ignored T would give
    tolerance = 5 * np.sqrt(0.25 / n)
    assert np.abs(freq - exact).max() < tolerance, (freq, exact)
    assert np.abs(ignored - exact).max() > 10 * tolerance


class NextIdModel:
    """A stand-in embedding model: at each position it strongly predicts (id + shift) % V,
    and records what it was given, so a test can see which characters were fed."""

    def __init__(self, shift=1, strength=60.0):
        self.shift, self.strength, self.calls = shift, strength, []

    def __call__(self, x, training=False):
        x = np.asarray(x)
        self.calls.append(x.copy())
        return self.strength * np.eye(V)[(x + self.shift) % V]


def test_generate_continues_from_the_prompts_last_character_and_feeds_back_each_sample():
    model = NextIdModel()
    text = charmodels.generate(model, VOCAB, "ab", 4, kind="embedding", temperature=0.05)
    ids = VOCAB.encode("ab")
    expected = [(ids[-1] + k) % V for k in range(1, 5)]  # each next id is the previous + 1
    assert text == VOCAB.decode(expected)
    np.testing.assert_array_equal(model.calls[-1][0], [*ids, *expected[:-1]])  # the whole context


def test_generate_keeps_only_the_last_window_characters():
    model = NextIdModel()
    charmodels.generate(model, VOCAB, "abcdef", 3, kind="embedding", window=4, temperature=0.05)
    assert all(call.shape == (1, 4) for call in model.calls)
    np.testing.assert_array_equal(model.calls[0][0], VOCAB.encode("cdef"))


@pytest.mark.parametrize("temperature", [0.5, 2.0])
def test_generate_samples_at_the_requested_temperature(temperature):
    logits = np.array([1.5, 0.0, -1.0, 0.5, 0, 0, 0, 0, 0, 0])

    def model(x, training=False):
        return np.broadcast_to(logits, (*np.shape(x), V))

    rng, n = np.random.default_rng(3), 3000
    firsts = [
        charmodels.generate(model, VOCAB, "a", 1, kind="embedding", temperature=temperature, rng=rng)
        for _ in range(n)
    ]
    freq = np.array([firsts.count(c) for c in VOCAB.chars]) / n
    e = np.exp(logits / temperature)
    exact = e / e.sum()
    assert np.abs(freq - exact).max() < 5 * np.sqrt(0.25 / n), (freq, exact)


def test_char_models_clip_the_global_norm():
    """One scale for all gradients (global_clipnorm), not a separate clip per weight (clipnorm)."""
    model = charmodels.build_char_model("onehot", V, 4, seed=0)
    config = model.optimizer.get_config()
    assert config["global_clipnorm"] == 1.0 and config["clipnorm"] is None


def test_gated_layers_take_the_cudnn_kernel_on_a_gpu(monkeypatch):
    """On a GPU the LSTM/GRU layers insist on cuDNN (use_cudnn=True); on a CPU Keras decides."""
    from rnnbook import profiles, shakespeare

    monkeypatch.setattr(profiles, "gpu_available", lambda: True)
    for cell in ("LSTM", "GRU"):
        layer = charmodels.build_char_model("onehot", 7, 8, cell=cell).get_layer(cell.lower())
        assert layer.use_cudnn is True
    assert shakespeare.build_model(7, 4, 8).get_layer(shakespeare.LAYER_NAMES[1]).use_cudnn is True
    monkeypatch.setattr(profiles, "gpu_available", lambda: False)
    assert charmodels.build_char_model("onehot", 7, 8, cell="LSTM").get_layer("lstm").use_cudnn == "auto"
