"""rnnbook.generate: the one-step generator agrees with the full model and refuses bad input."""

import math

import numpy as np
import pytest

from rnnbook import generate, shakespeare
from rnnbook.vocab import CharVocab

VOCAB = CharVocab.from_text("\n abcdefghijklmnopqrstuvwxyz:ROMEJULIT")


@pytest.fixture(scope="module")
def model():
    shakespeare.keras.utils.set_random_seed(3)
    model = shakespeare.build_model(len(VOCAB), 8, 16)
    # Larger weights than the initialisation, so that the distributions are far from uniform
    # (largest next-character probability after "ROMEO" about 0.2, against 0.03 at x 8).
    model.get_layer("logits").set_weights([w * 400 for w in model.get_layer("logits").get_weights()])
    return model


@pytest.fixture(scope="module")
def generator(model):
    return generate.CharGenerator(model, VOCAB, seed=0)


def full_sequence_probs(model, text):
    logits = np.asarray(model(VOCAB.encode(text)[None, :])[0, -1], dtype=np.float64)
    weights = np.exp(logits - logits.max())
    return weights / weights.sum()


def test_one_step_model_shapes(model):
    step = generate.one_step_model(model)
    assert [tuple(t.shape) for t in step.inputs] == [(None, 1), (None, 16), (None, 16)]
    assert [tuple(t.shape) for t in step.outputs] == [(None, len(VOCAB)), (None, 16), (None, 16)]


@pytest.mark.parametrize("prefix", ["R", "ROMEO:\nhello there", "a" * 150])
def test_next_char_probs_equal_the_full_sequence_model(model, generator, prefix):
    np.testing.assert_allclose(
        generator.next_char_probs(prefix), full_sequence_probs(model, prefix), atol=1e-5
    )


def test_generate_returns_the_prompt_and_length_new_characters(generator):
    text = generator.generate("ROMEO:", 25)
    assert isinstance(text, str) and text.startswith("ROMEO:") and len(text) == 6 + 25
    assert set(text) <= set(VOCAB.chars)


def test_several_prompts_of_different_lengths_in_one_batch(generator):
    prompts = ["J", "ROMEO:\n", "it is the east"]
    texts = generator.generate(prompts, 12, temperature=0.7)
    assert [t[: len(p)] for t, p in zip(texts, prompts, strict=True)] == prompts
    assert [len(t) - len(p) for t, p in zip(texts, prompts, strict=True)] == [12, 12, 12]


def test_very_low_temperature_is_greedy_decoding(model, generator):
    text = "ROMEO:"
    expected = text
    for _ in range(15):  # argmax of the full model, character by character
        expected += VOCAB.chars[int(np.argmax(full_sequence_probs(model, expected)))]
    assert generator.generate(text, 15, temperature=1e-4) == expected


def greedy(model, text, n):
    for _ in range(n):  # argmax of the full model, character by character
        text += VOCAB.chars[int(np.argmax(full_sequence_probs(model, text)))]
    return text


def first_char_frequencies(generator, prompt, temperature, n=4000):
    firsts = [t[-1] for t in generator.generate([prompt] * n, 1, temperature=temperature)]
    return np.array([firsts.count(c) for c in VOCAB.chars]) / n


def test_sampling_follows_the_distribution(model):
    generator = generate.CharGenerator(model, VOCAB, seed=1)
    probs = generator.next_char_probs("ROMEO")
    assert total_variation(first_char_frequencies(generator, "ROMEO", 1.0), probs) < 0.06


def total_variation(p, q):
    return 0.5 * np.abs(p - q).sum()


@pytest.mark.parametrize("temperature", [0.5, 2.0])
def test_sampling_follows_the_tempered_distribution(model, temperature):
    generator = generate.CharGenerator(model, VOCAB, seed=2)
    probs = full_sequence_probs(model, "ROMEO")
    tempered = probs ** (1 / temperature) / (probs ** (1 / temperature)).sum()
    freq = first_char_frequencies(generator, "ROMEO", temperature)
    assert total_variation(probs, tempered) > 0.25  # the test can tell them apart
    assert total_variation(freq, tempered) < 0.06
    assert total_variation(freq, probs) > 0.15  # a sampler ignoring the temperature fails


@pytest.mark.parametrize("temperature", [1e-6, 1e-39, 1e-300])
def test_tiny_temperatures_decode_greedily(model, generator, temperature):
    assert generator.generate("ROMEO:", 15, temperature=temperature) == greedy(model, "ROMEO:", 15)


def test_the_prompts_last_character_is_read(model, generator):
    prompts = ["ROMEO:", "it is the e", "JULIET", "a"]
    texts = generator.generate(prompts, 1, temperature=1e-6)
    assert texts == [greedy(model, p, 1) for p in prompts]
    # Not vacuous: without its last character some prompt would continue differently.
    assert any(greedy(model, p[:-1], 1)[-1] != t[-1] for p, t in zip(prompts[:3], texts, strict=False))


def test_batched_prompts_of_different_lengths_get_what_they_get_alone(model, generator):
    prompts = ["J", "ROMEO:\n", "it is the east and", "a" * 40, "ROMEO:"]
    alone = [generator.generate(p, 12, temperature=1e-6) for p in prompts]
    assert generator.generate(prompts, 12, temperature=1e-6) == alone
    assert len({t[-12:] for t in alone}) > 2  # the rows really differ
    ids, h, c = generator.start_state(prompts)
    logits, _, _ = generator.step_model([ids, h, c])
    for row, prompt in enumerate(prompts):
        expected = full_sequence_probs(model, prompt)
        np.testing.assert_allclose(tf_softmax(logits[row]), expected, atol=1e-5)


def tf_softmax(logits):
    z = np.asarray(logits, dtype=np.float64)
    e = np.exp(z - z.max())
    return e / e.sum()


def test_a_seed_fixes_the_text(model):
    a = generate.CharGenerator(model, VOCAB, seed=7)
    b = generate.CharGenerator(model, VOCAB, seed=7)
    first = a.generate(["ROMEO:", "J"], 40)
    assert b.generate(["ROMEO:", "J"], 40) == first
    assert a.generate(["ROMEO:", "J"], 40) != first  # the next call continues the seed's stream
    assert generate.CharGenerator(model, VOCAB, seed=8).generate(["ROMEO:", "J"], 40) != first
    # seed= fixes one call whatever came before it
    assert a.generate("ROMEO:", 40, seed=3) == b.generate("ROMEO:", 40, seed=3)


def test_chunks_continue_the_state(model, generator, monkeypatch):
    whole = generator.generate(["ROMEO:", "J"], 30, temperature=1e-6)
    calls = []
    sample = generator._sample
    monkeypatch.setattr(generator, "_sample", lambda *args: calls.append(1) or sample(*args))
    monkeypatch.setattr(generate, "CHUNK", 7)
    assert generator.generate(["ROMEO:", "J"], 30, temperature=1e-6) == whole
    assert len(calls) == 5  # 30 characters in chunks of 7: Python regains control 5 times


def test_long_requests_show_progress(generator, monkeypatch, capsys):
    monkeypatch.setattr(generate, "CHUNK", 8)
    monkeypatch.setattr(generate, "PROGRESS_FROM", 20)
    generator.generate("ROMEO:", 19)
    assert "generating" not in capsys.readouterr().err
    generator.generate("ROMEO:", 40)
    assert "40/40" in capsys.readouterr().err


def test_a_request_too_large_for_memory_is_refused_up_front(generator):
    with pytest.raises(ValueError, match=r"length=1000000000000 would need 1\.8 TiB"):
        generator.generate("ROMEO:", 10**12)


def test_a_model_of_other_layers_is_refused_naming_the_layer():
    from rnnbook.shakespeare import keras

    ids = keras.Input(shape=(None,), dtype="int32")
    x = keras.layers.Embedding(len(VOCAB), 4)(ids)
    gru = keras.Model(ids, keras.layers.Dense(len(VOCAB))(keras.layers.GRU(5, return_sequences=True)(x)))
    with pytest.raises(ValueError, match=r"layer 1 is GRU '\w+', expected LSTM"):
        generate.CharGenerator(gru, VOCAB)
    with pytest.raises(ValueError, match=r"layer 1 is GRU"):
        generate.one_step_model(gru)
    short = keras.Model(ids, keras.layers.Dense(len(VOCAB))(x))
    with pytest.raises(ValueError, match=r"layer 1 is Dense '\w+', expected LSTM"):
        generate.CharGenerator(short, VOCAB)
    with pytest.raises(ValueError, match="model must be a Keras model, got str"):
        generate.CharGenerator("model.keras", VOCAB)


def test_unknown_characters_are_named(generator):
    with pytest.raises(ValueError, match=r"not in the vocabulary: \['\?', 'Q', '¿'\]"):
        generator.generate(["ROMEO:", "¿Quo?"], 5)


@pytest.mark.parametrize(
    "prompts, match",
    [
        ("", "prompt 0 is ''"),
        ([], "no prompt given"),
        (["ROMEO", ""], "prompt 1 is ''"),
        ([3], "prompt 0 is 3"),
    ],
)
def test_empty_prompts_are_refused(generator, prompts, match):
    with pytest.raises(ValueError, match=match):
        generator.generate(prompts, 5)


@pytest.mark.parametrize("temperature", [0, -1, math.nan, math.inf, "hot", None])
def test_temperature_must_be_positive_and_finite(generator, temperature):
    with pytest.raises(ValueError, match="temperature must be a positive"):
        generator.generate("ROMEO", 5, temperature=temperature)


@pytest.mark.parametrize("length", [0, -3, 2.5, True, "10"])
def test_length_must_be_a_positive_integer(generator, length):
    with pytest.raises(ValueError, match="must be a positive integer, got"):
        generator.generate("ROMEO", length)


def test_vocabulary_must_match_the_model(model):
    with pytest.raises(ValueError, match=r"predicts \d+ characters but the vocabulary has 3"):
        generate.CharGenerator(model, CharVocab("abc"))


def test_naive_loop_generates_and_validates(model):
    text = generate.naive_generate(model, VOCAB, "ROMEO:", 3, window=4)
    assert text.startswith("ROMEO:") and len(text) == 9
    with pytest.raises(ValueError, match="not in the vocabulary"):
        generate.naive_generate(model, VOCAB, "ROMEO!", 3)
    with pytest.raises(ValueError, match="temperature"):
        generate.naive_generate(model, VOCAB, "ROMEO", 3, temperature=0)
    with pytest.raises(ValueError, match="length"):
        generate.naive_generate(model, VOCAB, "ROMEO", 0)


def test_naive_loop_at_low_temperature_agrees_with_ours_while_the_window_holds_everything(model, generator):
    ours = generator.generate("ROMEO:", 8, temperature=1e-4)
    naive = generate.naive_generate(model, VOCAB, "ROMEO:", 8, temperature=1e-4)
    assert ours == naive


def test_huge_temperatures_sample_every_character_alike(generator):
    """Mutation testing (issue 16): T >= 1 divides the logits; scaling the noise by T instead
    (the route for T < 1) overflows float32 at T = 1e39 and piles the samples on one id."""
    text = generator.generate("ROMEO", 3600, temperature=1e39, seed=1)[5:]
    frequencies = np.array([text.count(c) for c in VOCAB.chars]) / len(text)
    assert frequencies.min() > 0 and frequencies.max() < 2 / len(VOCAB)


def test_an_lstm_with_its_own_dropout_reads_the_prompt_without_it():
    """Mutation testing (issue 16): reading the prompt is inference (``training=False``), so an
    LSTM built with input dropout gives the full model's distribution, not a dropped-out one."""
    keras = generate.keras
    keras.utils.set_random_seed(5)
    ids = keras.Input(shape=(None,), dtype="int32")
    x = keras.layers.Embedding(len(VOCAB), 8)(ids)
    sequence, _, _ = keras.layers.LSTM(16, dropout=0.5, return_sequences=True, return_state=True)(x)
    dense = keras.layers.Dense(len(VOCAB))
    model = keras.Model(ids, dense(sequence))
    dense.set_weights([w * 400 for w in dense.get_weights()])
    generator = generate.CharGenerator(model, VOCAB, seed=0)
    for prefix in ["ROMEO:", "it is the east"]:
        np.testing.assert_allclose(
            generator.next_char_probs(prefix), full_sequence_probs(model, prefix), atol=1e-5
        )


@pytest.mark.parametrize("use_bias", [True, False])
def test_the_fast_loop_uses_the_biases_as_the_model_does(use_bias):
    """Mutation testing (issue 16): the book's model starts with zero biases, so a sampling loop
    that dropped or negated a bias passed every test. Here the biases are non-zero (or absent)."""
    keras = generate.keras
    keras.utils.set_random_seed(11)
    ids = keras.Input(shape=(None,), dtype="int32")
    x = keras.layers.Embedding(len(VOCAB), 8)(ids)
    lstm = keras.layers.LSTM(16, use_bias=use_bias, return_sequences=True, return_state=True)
    sequence, _, _ = lstm(x)
    dense = keras.layers.Dense(len(VOCAB), use_bias=use_bias)
    model = keras.Model(ids, dense(sequence))
    rng = np.random.default_rng(11)
    dense.set_weights(
        [50 * dense.get_weights()[0]] + ([3 * rng.standard_normal(len(VOCAB))] if use_bias else [])
    )
    if use_bias:
        kernel, recurrent, bias = lstm.get_weights()
        lstm.set_weights([kernel, recurrent, rng.standard_normal(bias.shape)])
    generator = generate.CharGenerator(model, VOCAB, seed=0)
    assert generator.generate(["ROMEO:", "J"], 12, temperature=1e-6) == [
        greedy(model, p, 12) for p in ["ROMEO:", "J"]
    ]
