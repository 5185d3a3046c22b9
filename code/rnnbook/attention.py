"""Attention pooling over the outputs of a recurrent layer (chapter 9).

Given the outputs ``h_1 .. h_T`` of an RNN (``return_sequences=True``), the layer scores
every time step with a small feed-forward network (additive scoring, as in Bahdanau et
al., 2015), turns the scores into weights with a softmax over time, and returns the
weighted sum of the outputs together with the weights:

    score_t = v . tanh(W h_t + b),   a = softmax(score),   pooled = sum_t a_t h_t

The weights are returned so they can be plotted. The layer does not support masking:
every time step takes part.
"""

from __future__ import annotations

from rnnbook import keras_setup
from rnnbook.validate import positive_int

keras = keras_setup.load(seed=None)
ops = keras.ops


@keras.saving.register_keras_serializable(package="rnnbook")
class AttentionPooling(keras.layers.Layer):
    """``(batch, time, features)`` -> ``(pooled (batch, features), weights (batch, time))``."""

    def __init__(self, units: int, **kwargs):
        super().__init__(**kwargs)
        self.units = positive_int("units", units)  # the package's one rule for sizes
        self.score_hidden = keras.layers.Dense(self.units, activation="tanh", name="score_hidden")
        self.score_out = keras.layers.Dense(1, use_bias=False, name="score_out")

    def build(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(
                "AttentionPooling expects sequences of shape (batch, time, features), e.g. an "
                f"RNN with return_sequences=True; got an input of shape {tuple(input_shape)}"
            )
        self.score_hidden.build(input_shape)
        self.score_out.build((*input_shape[:-1], self.units))

    def call(self, sequences):
        scores = self.score_out(self.score_hidden(sequences))[..., 0]  # (batch, time)
        weights = ops.softmax(scores, axis=-1)  # over time: each row sums to 1
        pooled = ops.sum(weights[..., None] * sequences, axis=1)  # (batch, features)
        return pooled, weights

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2]), (input_shape[0], input_shape[1])

    def get_config(self):
        return {**super().get_config(), "units": self.units}


__all__ = ["AttentionPooling"]
