import numpy as np
import pytest

from rnnbook.vocab import CharVocab


def test_round_trip_and_sorted_order():
    vocab = CharVocab.from_text("hello world")
    assert vocab.chars == sorted(set("hello world"))
    ids = vocab.encode("low hello")
    assert ids.dtype == np.int32
    assert vocab.decode(ids) == "low hello"


def test_unknown_characters_are_named():
    vocab = CharVocab.from_text("abc")
    with pytest.raises(ValueError, match=r"\['x', 'z'\]"):
        vocab.encode("abzxz")


def test_ids_out_of_range_are_rejected():
    vocab = CharVocab.from_text("abc")
    with pytest.raises(ValueError, match=r"must lie in 0\.\.2"):
        vocab.decode([0, 3])


@pytest.mark.parametrize("chars", [[], ["a", "a"], ["ab"]])
def test_bad_vocabularies(chars):
    with pytest.raises(ValueError):
        CharVocab(chars)


def test_one_hot():
    vocab = CharVocab.from_text("abc")
    x = vocab.one_hot(vocab.encode("cab"))
    assert x.shape == (3, 3)
    np.testing.assert_array_equal(x.argmax(axis=1), [2, 0, 1])


def test_shakespeare_vocabulary(shared_data_dir):
    text = (shared_data_dir / "tinyshakespeare.txt").read_text(encoding="utf-8")
    assert len(CharVocab.from_text(text)) == 65
