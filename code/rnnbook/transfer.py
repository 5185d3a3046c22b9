"""Carrying a trained character model over to a text with new characters.

A character model's vocabulary is baked into two layers: the Embedding (one row per
character) and the output Dense layer (one column of the kernel and one bias per
character). To fine-tune on a text that has characters the model never saw:

1. :func:`extend_vocab` keeps every old character at its old id and appends the new ones;
2. :func:`extend_embedding` keeps the old rows and gives each new character the mean of
   the old rows (an "average character": a neutral start, on the scale of the others);
3. :func:`extend_output` keeps the old columns and biases; a new character gets a zero
   kernel column and the smallest old bias, so its logit starts as a constant, as low
   as the lowest old bias: a small probability that does not depend on the context.

Because the old logits do not change, the extended model's probabilities for old
characters are the old ones times one common factor per step (the softmax is
renormalised over more characters): their ratios are exactly the old model's.
:func:`extend_char_model` does all of it for a Keras model.
"""

from __future__ import annotations

import numpy as np

from rnnbook.validate import nonnegative_int, numeric_array
from rnnbook.vocab import CharVocab


def extend_vocab(vocab: CharVocab, text: str) -> CharVocab:
    """``vocab`` plus the characters of ``text`` it lacks (sorted), appended after the old ids."""
    if not isinstance(vocab, CharVocab):
        raise ValueError(f"vocab must be a CharVocab, got {type(vocab).__name__}")
    return CharVocab(list(vocab.chars) + vocab.unknown(text))


def _matrix(name: str, array) -> np.ndarray:
    array = numeric_array(name, array)
    if array.ndim != 2 or 0 in array.shape:
        raise ValueError(f"{name} must be a non-empty 2-D array, got shape {array.shape}")
    return array


def _n_new(n_new) -> int:
    return nonnegative_int("n_new", n_new)


def extend_embedding(table, n_new: int) -> np.ndarray:
    """Embedding table ``(V, d)`` -> ``(V + n_new, d)``: old rows kept, new rows = mean old row."""
    table = _matrix("the embedding table", table)
    n_new = _n_new(n_new)
    new_rows = np.repeat(table.mean(axis=0, keepdims=True), n_new, axis=0)
    return np.concatenate([table, new_rows]).astype(table.dtype)


def extend_output(kernel, bias, n_new: int) -> tuple[np.ndarray, np.ndarray]:
    """Output layer ``kernel (units, V)``, ``bias (V,)`` -> ``(units, V + n_new)``, ``(V + n_new,)``.

    New columns are zero and new biases equal the smallest old bias.
    """
    kernel = _matrix("the output kernel", kernel)
    bias = np.asarray(bias)
    if bias.shape != (kernel.shape[1],):
        raise ValueError(
            f"the bias must have shape ({kernel.shape[1]},) to match the kernel "
            f"{kernel.shape}, got {bias.shape}"
        )
    n_new = _n_new(n_new)
    new_kernel = np.concatenate([kernel, np.zeros((kernel.shape[0], n_new), kernel.dtype)], axis=1)
    new_bias = np.concatenate([bias, np.full(n_new, bias.min(), bias.dtype)])
    return new_kernel, new_bias


def extend_char_model(old_model, new_model, n_new: int):
    """Copy ``old_model``'s weights into ``new_model``, which has ``n_new`` more characters.

    Both must be the same stack of layers (e.g. Embedding -> LSTM -> Dense) built for
    vocabularies of size ``V`` and ``V + n_new``. Embedding layers are extended with
    :func:`extend_embedding`, the last layer with :func:`extend_output`, every other layer
    is copied as it is. Returns ``new_model``.
    """
    n_new = _n_new(n_new)
    old_layers = [layer for layer in old_model.layers if layer.weights]
    new_layers = [layer for layer in new_model.layers if layer.weights]
    if len(old_layers) != len(new_layers):
        raise ValueError(
            f"the models differ: {len(old_layers)} layers with weights against {len(new_layers)}"
        )
    for position, (old, new) in enumerate(zip(old_layers, new_layers, strict=True)):
        weights = old.get_weights()
        if type(old).__name__ == "Embedding":
            weights = [extend_embedding(weights[0], n_new)]
        elif position == len(old_layers) - 1:
            if len(weights) != 2:
                raise ValueError(f"the last layer must be a Dense layer with a bias, got {old.name}")
            weights = list(extend_output(weights[0], weights[1], n_new))
        expected = [tuple(w.shape) for w in new.get_weights()]
        got = [tuple(w.shape) for w in weights]
        if got != expected:
            raise ValueError(
                f"layer {new.name}: the extended weights have shapes {got}, the new model expects {expected}"
            )
        new.set_weights(weights)
    return new_model
