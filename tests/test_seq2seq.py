"""The date task and the encoder-decoder builders of chapter 11."""

import datetime as dt

import numpy as np
import pytest

from rnnbook import seq2seq
from rnnbook.seq2seq import keras


def test_every_format_writes_a_text_that_reads_back_as_its_date():
    date = dt.date(2021, 5, 3)
    written = {name: write(date) for name, write in seq2seq.FORMATS.items()}
    assert written["weekday long"] == "Monday 3 May 2021"
    assert written["ordinal, short year"] == "May 3rd, '21"
    assert written["dmy"] == "03/05/21" and written["mdy"] == "05/03/21"
    for text in written.values():
        assert "2021-05-03" in seq2seq.readings(text)


def test_sampling_is_seeded_and_targets_are_iso():
    first = seq2seq.sample_dates(200, np.random.default_rng(3))
    assert first == seq2seq.sample_dates(200, np.random.default_rng(3))
    for text, iso, name in first:
        date = dt.date.fromisoformat(iso)
        assert seq2seq.FIRST_YEAR <= date.year <= seq2seq.LAST_YEAR
        assert seq2seq.FORMATS[name](date) == text


@pytest.mark.parametrize("n", [0, -1, 2.5, True, "10"])
def test_sampling_rejects_a_bad_count(n):
    with pytest.raises(ValueError, match="n \\(the number of dates\\) must be a positive integer"):
        seq2seq.sample_dates(n, np.random.default_rng(0))


def test_ambiguous_texts_are_dropped_by_construction_and_repeats_kept_once():
    samples = [
        ("03/05/21", "2021-05-03", "dmy"),  # also 5 March: ambiguous although drawn once
        ("25/12/99", "1999-12-25", "dmy"),  # day > 12: only one reading
        ("25/12/99", "1999-12-25", "dmy"),
        ("07/07/07", "2007-07-07", "dmy"),  # day == month: both readings are the same date
    ]
    pairs, ambiguous = seq2seq.drop_ambiguous(samples)
    assert ambiguous == {"03/05/21"}
    assert pairs == [("25/12/99", "1999-12-25"), ("07/07/07", "2007-07-07")]
    assert seq2seq.readings("03/05/21") == {"2021-05-03", "2021-03-05"}
    assert seq2seq.readings("not a date") == frozenset()


def test_split_is_disjoint_complete_and_checks_fractions():
    pairs = [(str(i), str(i)) for i in range(100)]
    parts = seq2seq.split(pairs, (0.8, 0.1, 0.1), np.random.default_rng(0))
    assert [len(p) for p in parts] == [80, 10, 10]
    assert sorted(sum(parts, [])) == sorted(pairs)
    for bad in [(0.5, 0.6), (1.2, -0.2), ()]:
        with pytest.raises(ValueError, match="fractions must be positive numbers summing to 1"):
            seq2seq.split(pairs, bad)


def test_encoding_pads_at_the_end_and_refuses_to_cut():
    input_vocab, output_vocab = seq2seq.vocabularies(["ab", "b a"])
    assert input_vocab.chars[0] == seq2seq.PAD and output_vocab.chars[0] == seq2seq.START
    ids = seq2seq.encode_inputs(["ab", "b a"], input_vocab)
    assert ids.dtype == np.int32 and ids.shape == (2, 3)
    assert ids[0, 2] == 0 and (ids[1] > 0).all()
    with pytest.raises(ValueError, match="more than length=2"):
        seq2seq.encode_inputs(["b a"], input_vocab, 2)
    with pytest.raises(ValueError, match="not in the vocabulary"):
        seq2seq.encode_inputs(["abc"], input_vocab)


def test_teacher_forcing_shifts_the_target_right_behind_the_start_symbol():
    _, vocab = seq2seq.vocabularies(["x"])
    decoder_in, decoder_out = seq2seq.teacher_forcing(["2021-05-03"], vocab)
    assert vocab.decode(decoder_in[0]) == "^2021-05-0"
    assert vocab.decode(decoder_out[0]) == "2021-05-03"
    with pytest.raises(ValueError, match="same length"):
        seq2seq.teacher_forcing(["2021-05-03", "21-5-3"], vocab)


def test_exact_match_counts_whole_strings():
    assert seq2seq.exact_match(["ab", "cd"], ["ab", "ce"]) == 0.5
    with pytest.raises(ValueError, match="2 predictions for 1"):
        seq2seq.exact_match(["a", "b"], ["a"])


class DotAttention(keras.layers.Layer):
    def call(self, queries, keys, valid):
        scores = keras.ops.einsum("nod,nid->noi", queries, keys)
        weights = keras.ops.softmax(keras.ops.where(valid[:, None, :], scores, -1e9), axis=-1)
        return keras.ops.einsum("noi,nid->nod", weights, keys), weights


@pytest.mark.parametrize("attention", [None, DotAttention], ids=["plain", "attention"])
def test_one_step_decoder_reproduces_the_teacher_forced_logits(attention):
    keras.utils.set_random_seed(0)
    training, encoder, step = seq2seq.build_seq2seq(9, 6, 4, 8, attention() if attention else None)
    rng = np.random.default_rng(0)
    x = rng.integers(1, 9, size=(3, 7)).astype("int32")
    x[1, 4:] = 0  # padding
    decoder_in = rng.integers(0, 6, size=(3, 5)).astype("int32")
    full = np.asarray(training([x, decoder_in]))
    assert full.shape == (3, 5, 6)
    outputs, h, c, valid = (np.asarray(t) for t in encoder(x))
    assert outputs.shape == (3, 7, 8) and valid.tolist()[1] == [True] * 4 + [False] * 3
    for t in range(5):
        logits, h, c, weights = (
            np.asarray(a) for a in step([decoder_in[:, t : t + 1], h, c, outputs, valid])
        )
        np.testing.assert_allclose(logits, full[:, t], atol=1e-5)
        np.testing.assert_allclose(weights.sum(axis=1), 1.0, rtol=1e-5)
        assert np.abs(weights[1, 4:]).max() < 1e-6  # no weight on padding


def test_padding_does_not_change_the_encoder_state():
    keras.utils.set_random_seed(0)
    _, encoder, _ = seq2seq.build_seq2seq(9, 6, 4, 8)
    short = np.array([[3, 4, 5]], dtype="int32")
    padded = np.array([[3, 4, 5, 0, 0]], dtype="int32")
    for a, b in zip(encoder(short)[1:3], encoder(padded)[1:3], strict=True):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-6)


def test_builder_rejects_bad_sizes():
    with pytest.raises(ValueError, match="units must be a positive integer, got 0"):
        seq2seq.build_seq2seq(9, 6, 4, 0)
