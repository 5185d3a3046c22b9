"""rnnbook.sentiment: the book's synthetic sentiment sentences, vocabulary and padding."""

import numpy as np
import pytest

from rnnbook import sentiment as st


def test_the_rule_on_hand_written_sentences():
    assert st.label_of("the plot was good") == 1
    assert st.label_of("the plot was not good") == 0
    assert st.label_of("the plot was not very bad") == 1
    assert st.label_of("the film was good but the music was bad") == 0
    assert st.label_of("the film was bad but the music was good") == 1
    assert st.label_of("the film was good but the music was not good") == 0
    with pytest.raises(ValueError, match="must end with an adjective"):
        st.label_of("the plot was")


def test_generated_sentences_obey_the_rule_and_are_balanced():
    rng = np.random.default_rng(0)
    train, y_train, test, y_test = st.make_dataset(600, 200, rng)
    assert len(train) == 600 and len(test) == 200
    assert not set(train) & set(test)
    assert [st.label_of(s) for s in train] == y_train.tolist()
    assert [st.label_of(s) for s in test] == y_test.tolist()
    assert 0.4 < y_train.mean() < 0.6
    both = train + test
    assert any(" not " in s for s in both) and any(" but " in s for s in both)


def test_two_clause_sentences_have_opposite_clauses():
    rng = np.random.default_rng(1)
    for label in (0, 1) * 20:
        sentence = st.make_sentence(rng, label, p_two_clauses=1.0)
        first, last = sentence.split(" but ")
        assert st.label_of(first) == 1 - label and st.label_of(last) == label
    with pytest.raises(ValueError, match="label must be 0 or 1, got 2"):
        st.make_sentence(rng, 2)


def test_word_vocab_round_trip_and_errors():
    vocab = st.WordVocab.from_sentences(["the plot was good", "the film was bad"])
    assert len(vocab) == 7  # 6 words + padding
    ids = vocab.encode("the film was good")
    assert min(ids) >= 1
    assert vocab.decode(ids + [0, 0]) == "the film was good"
    with pytest.raises(ValueError, match=r"not in the vocabulary: \['dull'\]"):
        vocab.encode("the film was dull")
    with pytest.raises(ValueError, match=r"ids must lie in 0\.\.6, got \[9\]"):
        vocab.decode([1, 9])
    with pytest.raises(ValueError, match="no repeats"):
        st.WordVocab(["a", "a"])


def test_pad_post_and_pre():
    padded = st.pad([[3, 4], [5], []], 3)
    np.testing.assert_array_equal(padded, [[3, 4, 0], [5, 0, 0], [0, 0, 0]])
    assert padded.dtype == np.int32
    np.testing.assert_array_equal(st.pad([[3, 4]], 4, side="pre"), [[0, 0, 3, 4]])


@pytest.mark.parametrize(
    "sequences,length,side,match",
    [
        ([[1, 2, 3]], 2, "post", "sequence 0 has 3 ids, more than length=2"),
        ([[1]], 0, "post", "length must be a positive integer, got 0"),
        ([[1]], 3, "middle", "side must be 'post' or 'pre', got 'middle'"),
    ],
)
def test_pad_rejects_bad_input(sequences, length, side, match):
    with pytest.raises(ValueError, match=match):
        st.pad(sequences, length, side)


def test_bag_of_words_cannot_tell_the_but_sentences_apart():
    vocab = st.WordVocab.from_sentences(["the film was good but the music was bad"])
    a = st.bag_of_words([vocab.encode("the film was good but the music was bad")], len(vocab))
    b = st.bag_of_words([vocab.encode("the film was bad but the music was good")], len(vocab))
    np.testing.assert_array_equal(a, b)
    assert a[0, 0] == 0 and a.sum() == 9
    with pytest.raises(ValueError, match=r"id 0 in sequence 0 is outside 1..6"):
        st.bag_of_words([[0]], 7)
    with pytest.raises(ValueError, match="vocab_size must be a positive integer"):
        st.bag_of_words([[1]], 0)
    with pytest.raises(ValueError, match="n_train must be a positive integer"):
        st.make_dataset(0, 5, np.random.default_rng(0))
