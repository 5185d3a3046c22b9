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
    # Larger weights than the initialisation, so that the distributions are far from uniform.
    model.get_layer("logits").set_weights([w * 8 for w in model.get_layer("logits").get_weights()])
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


def test_sampling_follows_the_distribution(model):
    generator = generate.CharGenerator(model, VOCAB, seed=1)
    probs = generator.next_char_probs("ROMEO")
    firsts = [t[-1] for t in generator.generate(["ROMEO"] * 4000, 1)]
    freq = np.array([firsts.count(c) for c in VOCAB.chars]) / len(firsts)
    assert np.abs(freq - probs).max() < 0.04


def test_same_seed_same_text(model):
    a = generate.CharGenerator(model, VOCAB, seed=7).generate("ROMEO:", 30)
    b = generate.CharGenerator(model, VOCAB, seed=7).generate("ROMEO:", 30)
    assert a == b


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
