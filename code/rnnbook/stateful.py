"""Stateful training of a character model, as the classic Keras tutorials did it, on Keras 3.

A *stateful* RNN layer keeps its final state ``(h, c)`` after each batch and starts the
next batch from it, instead of from zeros. That is only right when row ``b`` of batch
``k + 1`` is the text that follows row ``b`` of batch ``k``: :func:`stream_batches`
cuts the ids into ``batch_size`` contiguous *streams* and serves them ``seq_length``
characters at a time, so that each row of the batch reads one stream from start to end
(the layout of Zaremba, Sutskever and Vinyals, 2014, "Recurrent Neural Network
Regularization", and of Karpathy's char-rnn, 2015). The gradient is still truncated at
the batch boundary (truncated BPTT); only the state flows on.

In Keras 3 the layer is built with a fixed batch size (``keras.Input(batch_shape=(B,
T))``; the Keras 2 argument ``batch_input_shape`` is gone) and reset per layer with
``layer.reset_state()`` (``model.reset_states()`` is gone). :class:`ResetStates` does
that at the start of each epoch and before each evaluation.
"""

from __future__ import annotations

import numpy as np

from rnnbook import validate

__all__ = ["stream_batches", "n_stream_batches", "stateful_layers", "reset_states", "ResetStates"]


def n_stream_batches(n_ids: int, seq_length: int, batch_size: int) -> int:
    """How many full batches :func:`stream_batches` makes from ``n_ids`` ids.

    Each of the ``batch_size`` streams needs ``seq_length`` inputs per batch and one
    more id for its last target: ``(n_ids - 1) // (batch_size * seq_length)``.
    """
    n_ids = validate.nonnegative_int("n_ids", n_ids)
    seq_length = validate.positive_int("seq_length", seq_length)
    batch_size = validate.positive_int("batch_size", batch_size)
    return max(n_ids - 1, 0) // (batch_size * seq_length)


def stream_batches(ids, seq_length: int, batch_size: int, n_batches: int | None = None):
    """Inputs and targets for stateful training: row b of batch k + 1 continues row b of batch k.

    Parameters
    ----------
    ids : 1-D array of integers (the encoded text), length N.
    seq_length : int > 0, the characters per row of a batch (T).
    batch_size : int > 0, the rows of a batch (B): the number of contiguous streams.
    n_batches : int > 0 or None; keep only the first ``n_batches`` batches (for a budget
        equal to another pipeline's). None: as many as the text allows,
        :func:`n_stream_batches`.

    Returns
    -------
    ``(x, y)``, two int32 arrays of shape ``(K * B, T)``, with K the number of batches,
    ordered batch by batch: rows ``k*B .. k*B + B - 1`` are batch ``k``. Stream ``b`` is
    ``ids[b*L : b*L + L + 1]`` with ``L = K * T``; batch ``k``, row ``b`` is its
    characters ``k*T .. k*T + T - 1`` and ``y`` is ``x`` shifted by one. Feed them to
    ``fit(x, y, batch_size=B, shuffle=False)``: shuffling would break the streams.

    Raises
    ------
    ValueError (or :class:`rnnbook.validate.ArgumentTypeError`) naming the argument:
    ``ids`` not a 1-D integer array, a size not a positive integer, a text too short for
    one batch (fewer than ``B * T + 1`` ids), or ``n_batches`` above what the text holds.
    """
    ids = np.asarray(ids)
    if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"ids must be a 1-D array of integers, got shape {ids.shape} dtype {ids.dtype}")
    seq_length = validate.positive_int("seq_length", seq_length)
    batch_size = validate.positive_int("batch_size", batch_size)
    available = n_stream_batches(len(ids), seq_length, batch_size)
    if available == 0:
        raise ValueError(
            f"ids: {len(ids)} ids make no full batch: {batch_size} streams of seq_length "
            f"{seq_length} need at least batch_size * seq_length + 1 = "
            f"{batch_size * seq_length + 1} ids"
        )
    if n_batches is None:
        n_batches = available
    else:
        n_batches = validate.positive_int("n_batches", n_batches)
        if n_batches > available:
            raise ValueError(
                f"n_batches must be at most {available} for {len(ids)} ids "
                f"(batch_size {batch_size}, seq_length {seq_length}), got {n_batches}"
            )
    length = n_batches * seq_length  # characters each stream feeds to the model
    streams = np.stack([ids[b * length : b * length + length + 1] for b in range(batch_size)])
    streams = streams.astype(np.int32)  # (B, L + 1)

    def batched(array):  # (B, L) -> (K, B, T) -> (K * B, T), batch by batch
        array = array.reshape(batch_size, n_batches, seq_length).transpose(1, 0, 2)
        return np.ascontiguousarray(array.reshape(n_batches * batch_size, seq_length))

    return batched(streams[:, :-1]), batched(streams[:, 1:])


def stateful_layers(model) -> list:
    """The layers of ``model`` (nested models included) built with ``stateful=True``."""
    found = []
    for layer in getattr(model, "layers", []):
        if getattr(layer, "stateful", False):
            found.append(layer)
        found.extend(stateful_layers(layer) if hasattr(layer, "layers") else [])
    return found


def reset_states(model) -> int:
    """Set the state of every stateful layer of ``model`` to zeros; how many layers that was.

    The Keras 3 spelling of Keras 2's ``model.reset_states()``: ``layer.reset_state()``
    for each stateful layer. Raises ValueError if ``model`` has no stateful layer (a
    model built without ``stateful=True`` keeps no state to reset).
    """
    layers = stateful_layers(model)
    if not layers:
        raise ValueError(
            f"model {getattr(model, 'name', model)!r} has no layer built with stateful=True: "
            "there is no state to reset"
        )
    for layer in layers:
        layer.reset_state()
    return len(layers)


def _callback_base():
    import keras

    return keras.callbacks.Callback


class ResetStates(_callback_base()):
    """A callback that zeroes the state of the model's stateful layers.

    At the start of every epoch (each epoch reads the streams from their beginning) and
    before every evaluation, also the one ``fit`` runs on ``validation_data`` (so that
    validation starts from zeros, not from the training stream's last state, and
    carries its own state across the validation batches).
    """

    def on_epoch_begin(self, epoch, logs=None):
        reset_states(self.model)

    def on_test_begin(self, logs=None):
        reset_states(self.model)
