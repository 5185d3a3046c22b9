"""A character vocabulary: characters <-> integer ids."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from rnnbook import validate


class CharVocab:
    """Sorted distinct characters of a text, with encode/decode.

    >>> vocab = CharVocab.from_text("hello")
    >>> vocab.decode(vocab.encode("hole"))
    'hole'
    """

    def __init__(self, chars: Iterable[str]):
        """``chars``: distinct single characters (a str or an iterable of them), in id order.

        Raises ``TypeError`` when ``chars`` is not iterable, ``ValueError`` when it is
        empty, repeats a character or holds something other than single characters.
        """
        try:
            chars = list(chars)
        except TypeError:
            raise validate.ArgumentTypeError(
                f"chars must be a str or an iterable of single characters, got {type(chars).__name__}"
            ) from None
        if not chars:
            raise ValueError("a vocabulary needs at least one character, got none")
        if any(not isinstance(c, str) or len(c) != 1 for c in chars):
            raise ValueError("a vocabulary is made of single characters")
        if len(set(chars)) != len(chars):
            raise ValueError("a vocabulary must not repeat a character")
        self.chars: list[str] = chars
        self.index: dict[str, int] = {c: i for i, c in enumerate(chars)}

    @classmethod
    def from_text(cls, text: str) -> CharVocab:
        """The vocabulary of every distinct character in ``text``, sorted (TypeError if not a str)."""
        _check_text("text", text)
        return cls(sorted(set(text)))

    def __len__(self) -> int:
        return len(self.chars)

    def __contains__(self, char: str) -> bool:
        return char in self.index

    def __repr__(self) -> str:
        return f"CharVocab({len(self)} characters: {''.join(self.chars)!r})"

    def unknown(self, text: str) -> list[str]:
        """The distinct characters of ``text`` that are not in the vocabulary, sorted."""
        _check_text("text", text)
        return sorted(set(text) - self.index.keys())

    def encode(self, text: str) -> np.ndarray:
        """Ids of ``text``'s characters (int32); unknown characters raise ValueError naming them."""
        missing = self.unknown(text)
        if missing:
            raise ValueError(
                f"{len(missing)} character(s) not in the vocabulary: {missing!r}; "
                f"use only these {len(self)} characters: {''.join(self.chars)!r}"
            )
        return np.fromiter((self.index[c] for c in text), dtype=np.int32, count=len(text))

    def decode(self, ids: Iterable[int]) -> str:
        """The text of a sequence of ids; an id outside ``0..len-1`` raises ValueError naming it,
        ids that are not integers raise TypeError."""
        ids = validate.ids_in_range("ids", ids, len(self)).ravel()
        return "".join(self.chars[i] for i in ids)

    def one_hot(self, ids: np.ndarray, dtype=np.float32) -> np.ndarray:
        """One-hot rows for integer ``ids`` of any shape: shape ``ids.shape + (len(self),)``.

        An id outside ``0..len-1`` raises ValueError naming it (a negative id is not counted
        from the end); ids that are not integers raise TypeError.
        """
        ids = validate.ids_in_range("ids", ids, len(self))
        return np.eye(len(self), dtype=dtype)[ids]


def _check_text(name: str, text) -> None:
    if not isinstance(text, str):
        raise validate.ArgumentTypeError(f"{name} must be a str, got {type(text).__name__}: {text!r:.60}")
