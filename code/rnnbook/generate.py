"""Generating text one character at a time, carrying the LSTM's state ``(h, c)`` explicitly.

The seed's loop re-reads the last 100 characters through the whole model for every new
character (:func:`naive_generate`). A recurrent network does not need that: its state
already summarises the past. :func:`one_step_model` shares the trained layers and maps
``(id, h, c) -> (logits, h, c)``; :class:`CharGenerator` compiles one sampling step with
``tf.function`` and runs it for a whole batch of prompts at once.
"""

from __future__ import annotations

import numpy as np

from rnnbook import keras_setup
from rnnbook.validate import temperature as check_temperature
from rnnbook.vocab import CharVocab

keras = keras_setup.load(seed=None)  # noqa: E402  (silences TensorFlow before it is imported)
import tensorflow as tf  # noqa: E402


def check_length(length) -> int:
    if isinstance(length, bool) or not isinstance(length, int | np.integer) or length <= 0:
        raise ValueError(
            f"length (the number of characters to generate) must be a positive integer, got {length!r}"
        )
    return int(length)


def check_prompts(prompts, vocab: CharVocab) -> list[str]:
    """A list of non-empty prompts made of vocabulary characters (a single string is one prompt)."""
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


def one_step_model(model: keras.Model) -> keras.Model:
    """``(ids (batch, 1), h, c) -> (logits (batch, vocab), h, c)``, sharing ``model``'s layers."""
    embedding, lstm, dense = (model.get_layer(name) for name in ("embedding", "lstm", "logits"))
    ids = keras.Input(shape=(1,), dtype="int32", name="ids")
    h_in = keras.Input(shape=(lstm.units,), name="h")
    c_in = keras.Input(shape=(lstm.units,), name="c")
    sequence, h, c = lstm(embedding(ids), initial_state=[h_in, c_in])
    logits = dense(sequence[:, -1, :])
    return keras.Model([ids, h_in, c_in], [logits, h, c], name="one_step")


class CharGenerator:
    """Temperature sampling from a model built by :func:`rnnbook.shakespeare.build_model`."""

    def __init__(self, model: keras.Model, vocab: CharVocab, seed: int = 0):
        n_out = model.get_layer("logits").units
        if n_out != len(vocab):
            raise ValueError(f"the model predicts {n_out} characters but the vocabulary has {len(vocab)}")
        self.vocab = vocab
        self.units = model.get_layer("lstm").units
        self.step_model = one_step_model(model)
        self.rng = tf.random.Generator.from_seed(seed)
        units = self.units
        # Compiled once per batch size; the state is an explicit input and output of every step.
        self._prime = tf.function(
            self._prime_eager, input_signature=[tf.TensorSpec([None, None], tf.int32)], reduce_retracing=True
        )
        self._step = tf.function(
            self._step_eager,
            input_signature=[
                tf.TensorSpec([None, 1], tf.int32),
                tf.TensorSpec([None, units], tf.float32),
                tf.TensorSpec([None, units], tf.float32),
                tf.TensorSpec([], tf.float32),
            ],
        )

    def _prime_eager(self, ids):
        """Run the prompt (all but its last character) through the LSTM: its final (h, c)."""
        zeros = tf.zeros([tf.shape(ids)[0], self.units])
        h, c = zeros, zeros
        for t in tf.range(tf.shape(ids)[1]):
            _, h, c = self.step_model([ids[:, t : t + 1], h, c], training=False)
        return h, c

    def _step_eager(self, ids, h, c, temperature):
        logits, h, c = self.step_model([ids, h, c], training=False)
        seeds = self.rng.make_seeds(1)[:, 0]
        next_ids = tf.random.stateless_categorical(logits / temperature, 1, seed=seeds, dtype=tf.int32)
        return next_ids, h, c

    def start_state(self, prompts: list[str]):
        """``(last ids (batch, 1), h, c)`` after reading each prompt but its last character."""
        states = [self._prime(tf.constant(self.vocab.encode(p[:-1])[None, :])) for p in prompts]
        h = tf.concat([s[0] for s in states], axis=0)
        c = tf.concat([s[1] for s in states], axis=0)
        last = tf.constant([[self.vocab.index[p[-1]]] for p in prompts], dtype=tf.int32)
        return last, h, c

    def next_char_probs(self, prefix: str) -> np.ndarray:
        """The model's distribution of the character after ``prefix`` (temperature 1)."""
        (prefix,) = check_prompts(prefix, self.vocab)
        ids, h, c = self.start_state([prefix])
        logits, _, _ = self.step_model([ids, h, c], training=False)
        return tf.nn.softmax(logits)[0].numpy()

    def generate(self, prompts, length: int, temperature: float = 1.0):
        """Each prompt followed by ``length`` sampled characters (a list for a list of prompts)."""
        single = isinstance(prompts, str)
        prompts = check_prompts(prompts, self.vocab)
        length = check_length(length)
        temperature = tf.constant(check_temperature(temperature), tf.float32)
        ids, h, c = self.start_state(prompts)
        generated = []
        for _ in range(length):
            ids, h, c = self._step(ids, h, c, temperature)
            generated.append(ids)
        columns = tf.concat(generated, axis=1).numpy()
        texts = [p + self.vocab.decode(row) for p, row in zip(prompts, columns, strict=True)]
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
        logits = model.predict(ids, verbose=0)[0, -1] / temperature
        probs = np.exp(logits - logits.max())
        text += vocab.chars[rng.choice(len(vocab), p=probs / probs.sum())]
    return text
