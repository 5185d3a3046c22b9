"""Generating text one character at a time, carrying the LSTM's state ``(h, c)`` explicitly.

The seed's loop re-reads the last 100 characters through the whole model for every new
character (:func:`naive_generate`). A recurrent network does not need that: its state
already summarises the past. :func:`one_step_model` shares the trained layers and maps
``(id, h, c) -> (logits, h, c)``: it is the readable version the chapter teaches with.

:class:`CharGenerator` is the fast version of the same computation. It reads all the
prompts with one call of the LSTM (a mask lets prompts of different lengths share the
batch), then runs the whole sampling loop inside one compiled ``tf.function`` (a
``tf.while_loop``), so Python is entered once per chunk of characters, not once per
character. Sampling is seeded and stateless (Gumbel-max), so a seed fixes the text.
"""

from __future__ import annotations

import sys

import numpy as np
from tqdm import tqdm

from rnnbook import keras_setup, validate
from rnnbook.validate import temperature as check_temperature
from rnnbook.vocab import CharVocab

keras = keras_setup.load(seed=None)  # noqa: E402  (silences TensorFlow before it is imported)
import tensorflow as tf  # noqa: E402

CHUNK = 4096  # characters per compiled call: Ctrl-C and the progress bar act between chunks
PROGRESS_FROM = 4 * CHUNK  # show a progress bar from this many characters per prompt


def check_length(length) -> int:
    """``length`` (characters to generate) as an int; ValueError unless a positive integer."""
    return validate.positive_int("length (the number of characters to generate)", length)


def check_prompts(prompts, vocab: CharVocab) -> list[str]:
    """A list of non-empty prompts made of vocabulary characters (a single string is one prompt)."""
    if not isinstance(prompts, str | list | tuple):
        raise ValueError(f"prompts must be a string or a list of strings, got {type(prompts).__name__}")
    prompts = [prompts] if isinstance(prompts, str) else list(prompts)
    if not prompts:
        raise ValueError("no prompt given: pass a string or a non-empty list of strings")
    for i, prompt in enumerate(prompts):
        if not isinstance(prompt, str) or not prompt:
            raise ValueError(
                f"prompt {i} is {prompt!r}: every prompt must be a non-empty string "
                f"(generation continues from its last character)"
            )
        unknown = vocab.unknown(prompt)
        if unknown:
            raise ValueError(
                f"prompt {i} ({prompt[:30]!r}) has characters not in the vocabulary: "
                f"{unknown!r}; the model knows only these {len(vocab)}: "
                f"{''.join(vocab.chars)!r}"
            )
    return prompts


def char_model_layers(model) -> tuple:
    """The ``(embedding, lstm, dense)`` layers of an Embedding -> LSTM -> Dense character model.

    Dropout layers are skipped: they pass their input through unchanged at inference, which
    is all generation does. Raises ValueError naming the layer that is not what
    :func:`rnnbook.shakespeare.build_model` builds (for example a GRU where the LSTM is
    expected).
    """
    if not isinstance(model, keras.Model):
        raise ValueError(f"model must be a Keras model, got {type(model).__name__}")
    skipped = (keras.layers.InputLayer, keras.layers.Dropout)
    layers = [layer for layer in model.layers if not isinstance(layer, skipped)]
    expected = (keras.layers.Embedding, keras.layers.LSTM, keras.layers.Dense)
    embedding, lstm, dense = validate.layer_sequence("model", layers, expected)
    if lstm.cell.activation is not keras.activations.tanh or (
        lstm.cell.recurrent_activation is not keras.activations.sigmoid
    ):
        raise ValueError(f"the LSTM {lstm.name!r} must use the standard tanh and sigmoid activations")
    if dense.activation is not keras.activations.linear:
        raise ValueError(f"the Dense layer {dense.name!r} must output logits (no activation)")
    return embedding, lstm, dense


def one_step_model(model: keras.Model) -> keras.Model:
    """``(ids (batch, 1), h, c) -> (logits (batch, vocab), h, c)``, sharing ``model``'s layers.

    ``h`` and ``c`` are float32 ``(batch, units)``. ValueError if ``model`` is not an
    Embedding -> LSTM -> Dense character model.
    """
    embedding, lstm, dense = char_model_layers(model)
    ids = keras.Input(shape=(1,), dtype="int32", name="ids")
    h_in = keras.Input(shape=(lstm.units,), name="h")
    c_in = keras.Input(shape=(lstm.units,), name="c")
    sequence, h, c = lstm(embedding(ids), initial_state=[h_in, c_in])
    logits = dense(sequence[:, -1, :])
    return keras.Model([ids, h_in, c_in], [logits, h, c], name="one_step")


def gumbel_max_sample(logits, logit_scale, noise_scale, seed):
    """One id per row of ``logits`` (batch, vocab), drawn from ``softmax(logits / T)``.

    The Gumbel-max trick (Gumbel 1954; Maddison et al. 2014): ``argmax(logits / T + G)``
    with G standard Gumbel noise is a sample of ``softmax(logits / T)``. Multiplying by
    ``T > 0`` does not change the argmax, so for ``T < 1`` we use ``argmax(logits + T * G)``
    (no overflow however small T is: T -> 0 is greedy decoding) and for ``T >= 1``
    ``argmax(logits / T + G)``. The caller passes ``logit_scale`` (1/T or 1) and
    ``noise_scale`` (1 or T). ``seed`` is a stateless seed, shape (2,).
    """
    uniform = tf.random.stateless_uniform(tf.shape(logits), seed, minval=1e-20, maxval=1.0)
    gumbel = -tf.math.log(-tf.math.log(uniform))
    return tf.argmax(logits * logit_scale + gumbel * noise_scale, axis=1, output_type=tf.int32)


def sampling_scales(temperature: float) -> tuple[float, float]:
    """``(logit_scale, noise_scale)`` for :func:`gumbel_max_sample` at ``temperature``."""
    return (1.0 / temperature, 1.0) if temperature >= 1.0 else (1.0, temperature)


class CharGenerator:
    """Temperature sampling from a model built by :func:`rnnbook.shakespeare.build_model`.

    ``seed`` fixes the text: two generators made with the same model and seed give the same
    texts for the same sequence of calls (``generate(..., seed=...)`` fixes one call's text
    on its own). The generator reads the model's current weights at every call.
    """

    def __init__(self, model: keras.Model, vocab: CharVocab, seed: int = 0):
        self.embedding, self.lstm, self.dense = char_model_layers(model)
        n_out = self.dense.units
        if n_out != len(vocab):
            raise ValueError(f"the model predicts {n_out} characters but the vocabulary has {len(vocab)}")
        self.vocab = vocab
        self.units = self.lstm.units
        self.step_model = one_step_model(model)
        self.rng = np.random.default_rng(seed)  # draws one stateless seed per call
        units = self.units
        self._prime = tf.function(
            self._prime_eager,
            input_signature=[tf.TensorSpec([None, None], tf.int32), tf.TensorSpec([None, None], tf.bool)],
        )
        self._sample = tf.function(
            self._sample_eager,
            input_signature=[
                tf.TensorSpec([None], tf.int32),  # the last id of each prompt
                tf.TensorSpec([None, units], tf.float32),
                tf.TensorSpec([None, units], tf.float32),
                tf.TensorSpec([], tf.int32),  # characters to sample
                tf.TensorSpec([], tf.float32),  # logit scale
                tf.TensorSpec([], tf.float32),  # noise scale
                tf.TensorSpec([2], tf.int64),  # stateless seed of this chunk
            ],
        )

    def _prime_eager(self, ids, mask):
        """One LSTM call over the right-padded prompts; masked steps keep the state as it is."""
        zeros = tf.zeros([tf.shape(ids)[0], self.units])
        _, h, c = self.lstm(self.embedding(ids), mask=mask, initial_state=[zeros, zeros], training=False)
        return h, c

    def _sample_eager(self, ids, h, c, n, logit_scale, noise_scale, seed):
        """``n`` sampling steps in one ``tf.while_loop``: ids (n, batch) and the final (h, c)."""
        kernel, recurrent_kernel, *bias = self.lstm.cell.weights
        dense_kernel, *dense_bias = self.dense.weights
        # The input part of the LSTM's pre-activation depends only on the character: one
        # row per character, computed once per call instead of a product per step.
        by_char = tf.matmul(self.embedding.embeddings, kernel) + (bias[0] if bias else 0.0)
        output = tf.TensorArray(tf.int32, size=n)
        for t in tf.range(n):
            z = tf.gather(by_char, ids) + tf.matmul(h, recurrent_kernel)
            i, f, g, o = tf.split(z, 4, axis=1)  # Keras' gate order
            c = tf.sigmoid(f) * c + tf.sigmoid(i) * tf.tanh(g)
            h = tf.sigmoid(o) * tf.tanh(c)
            logits = tf.matmul(h, dense_kernel) + (dense_bias[0] if dense_bias else 0.0)
            step_seed = tf.random.experimental.stateless_fold_in(seed, tf.cast(t, tf.int64))
            ids = gumbel_max_sample(logits, logit_scale, noise_scale, step_seed)
            output = output.write(t, ids)
        return output.stack(), h, c

    def start_state(self, prompts: list[str]):
        """``(last ids (batch, 1), h, c)`` after reading each prompt but its last character."""
        lengths = [len(p) - 1 for p in prompts]
        ids = np.zeros((len(prompts), max(lengths)), np.int32)
        for row, prompt in enumerate(prompts):
            ids[row, : lengths[row]] = self.vocab.encode(prompt[:-1])
        mask = np.arange(ids.shape[1])[None, :] < np.array(lengths)[:, None]
        if ids.shape[1] == 0:  # every prompt is one character: nothing to read
            h = c = tf.zeros([len(prompts), self.units])
        else:
            h, c = self._prime(tf.constant(ids), tf.constant(mask))
        last = tf.constant([[self.vocab.index[p[-1]]] for p in prompts], dtype=tf.int32)
        return last, h, c

    def next_char_probs(self, prefix: str) -> np.ndarray:
        """The model's distribution of the character after ``prefix`` (temperature 1), float32 (vocab,)."""
        (prefix,) = check_prompts(prefix, self.vocab)
        ids, h, c = self.start_state([prefix])
        logits, _, _ = self.step_model([ids, h, c], training=False)
        return tf.nn.softmax(logits)[0].numpy()

    def check_memory(self, prompts: list[str], length: int) -> None:
        """Refuse up front a request whose text would exceed ``validate.MAX_BYTES`` (ValueError)."""
        # The chunks and the joined text both exist at the end: twice the text.
        top = max(ord(ch) for ch in self.vocab.chars)  # Python stores 1, 2 or 4 bytes per char
        width = 1 if top < 0x100 else 2 if top < 0x10000 else 4
        n_bytes = 2 * width * sum(len(p) + length for p in prompts)
        validate.allocation("length", length, n_bytes, f"the text of {len(prompts)} prompt(s)")

    def generate(self, prompts, length: int, temperature: float = 1.0, seed: int | None = None):
        """Each prompt followed by ``length`` sampled characters (a list for a list of prompts).

        ``prompts``: a string or a list of strings of vocabulary characters; ``length``: a
        positive integer; ``temperature``: a positive finite number (tiny ones decode
        greedily); ``seed``: fixes this call's text (default: the generator's next seed).
        Long requests show a progress bar and stop at Ctrl-C (KeyboardInterrupt) within one
        chunk of characters; a request whose text would need more memory than
        ``rnnbook.validate.MAX_BYTES`` is refused up front (ValueError giving the size).
        """
        single = isinstance(prompts, str)
        prompts = check_prompts(prompts, self.vocab)
        length = check_length(length)
        temperature = check_temperature(temperature)
        self.check_memory(prompts, length)
        rng = self.rng if seed is None else np.random.default_rng(seed)
        call_seed = rng.integers(0, 2**62, size=2)
        logit_scale, noise_scale = (tf.constant(s, tf.float32) for s in sampling_scales(temperature))
        ids, h, c = self.start_state(prompts)
        ids = ids[:, 0]
        pieces: list[list[str]] = [[p] for p in prompts]
        with tqdm(
            total=length, unit="char", disable=length < PROGRESS_FROM, file=sys.stderr, desc="generating"
        ) as progress:
            for index, start in enumerate(range(0, length, CHUNK)):
                n = min(CHUNK, length - start)
                seed_t = tf.constant([call_seed[0], call_seed[1] + index], tf.int64)
                columns, h, c = self._sample(ids, h, c, tf.constant(n), logit_scale, noise_scale, seed_t)
                ids = columns[-1]
                for row, column in zip(pieces, columns.numpy().T, strict=True):
                    row.append(self.vocab.decode(column))
                progress.update(n)
        texts = ["".join(row) for row in pieces]
        return texts[0] if single else texts


def naive_generate(
    model: keras.Model,
    vocab: CharVocab,
    prompt: str,
    length: int,
    temperature: float = 1.0,
    window: int = 100,
    seed: int = 0,
) -> str:
    """The seed's loop: for every new character, ``model.predict`` on the last ``window`` characters."""
    (prompt,) = check_prompts(prompt, vocab)
    length, temperature = check_length(length), check_temperature(temperature)
    rng = np.random.default_rng(seed)
    text = prompt
    for _ in range(length):
        ids = vocab.encode(text[-window:])[None, :]
        logits = model.predict(ids, verbose=0)[0, -1]
        probs = np.exp((logits - logits.max()) / temperature)  # max first: no overflow for tiny T
        text += vocab.chars[rng.choice(len(vocab), p=probs / probs.sum())]
    return text
