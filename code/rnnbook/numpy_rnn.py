"""A vanilla RNN in NumPy, vectorised over a batch: forward, BPTT, losses, clipping, optimisers.

Shapes follow Keras (batch first): inputs ``xs`` are ``(B, T, n_in)``. Rows are
examples, so the code multiplies on the right and stores the transposes of the
matrices in the textbook equations:

    h_t = tanh(x_t @ Wxh + h_{t-1} @ Whh + bh)        # (B, H)
    y_t = h_t @ Why + by                              # (B, n_out)

Chapters 2-4 derive and write these in their own cells; this module is the
tested version they compare against and reuse.
"""

from __future__ import annotations

import numpy as np
from tqdm.auto import tqdm

from rnnbook import validate

PARAM_NAMES = ("Wxh", "Whh", "bh", "Why", "by")


def init_params(
    n_in: int,
    n_hidden: int,
    n_out: int,
    rng: np.random.Generator,
    recurrent_scale: float = 1.0,
    dtype=np.float64,
) -> dict[str, np.ndarray]:
    """Small random weights (scaled by 1/sqrt(fan-in)), zero biases.

    ``recurrent_scale`` multiplies ``Whh``; chapter 3 varies it to make gradients
    vanish (< 1) or explode (> 1). Returns a dict of arrays of ``dtype``: ``Wxh``
    (n_in, n_hidden), ``Whh`` (n_hidden, n_hidden), ``bh`` (n_hidden,), ``Why``
    (n_hidden, n_out), ``by`` (n_out,). Sizes must be positive integers (integral floats
    are accepted); otherwise ``TypeError``/``ValueError`` naming the size.
    """
    n_in = validate.positive_int("n_in", n_in)
    n_hidden = validate.positive_int("n_hidden", n_hidden)
    n_out = validate.positive_int("n_out", n_out)
    rng = validate.generator("rng", rng)
    recurrent_scale = validate.real("recurrent_scale", recurrent_scale)
    try:
        float_type = np.dtype(dtype)
    except TypeError:
        float_type = None
    if float_type is None or not np.issubdtype(float_type, np.floating):
        raise validate.ArgumentTypeError(
            f"dtype must be a floating-point type such as np.float64 or np.float32, got {dtype!r}"
        )
    validate.allocation(
        "n_hidden", n_hidden, 8 * (n_in + n_hidden + 1 + n_out) * (n_hidden + 1), "the weights"
    )
    recurrent = recurrent_scale * rng.standard_normal((n_hidden, n_hidden)) / np.sqrt(n_hidden)
    return {
        "Wxh": (rng.standard_normal((n_in, n_hidden)) / np.sqrt(n_in)).astype(dtype),
        "Whh": recurrent.astype(dtype),
        "bh": np.zeros(n_hidden, dtype=dtype),
        "Why": (rng.standard_normal((n_hidden, n_out)) / np.sqrt(n_hidden)).astype(dtype),
        "by": np.zeros(n_out, dtype=dtype),
    }


def _check_params(params) -> None:
    if not isinstance(params, dict) or any(name not in params for name in PARAM_NAMES):
        got = sorted(params) if isinstance(params, dict) else f"{type(params).__name__}"
        raise validate.ArgumentTypeError(
            f"params must be a dict with keys {list(PARAM_NAMES)} (see init_params), got {got}"
        )


def _check_inputs(params: dict, xs: np.ndarray) -> None:
    _check_params(params)
    n_in = params["Wxh"].shape[0]
    if xs.ndim != 3 or xs.shape[2] != n_in:
        raise ValueError(f"inputs must have shape (batch, time, {n_in}) for this RNN, got {xs.shape}")
    if not np.issubdtype(xs.dtype, np.number) or xs.dtype == bool:
        raise validate.ArgumentTypeError(f"inputs must be numbers, got dtype {xs.dtype}")


def _check_state(name: str, value, batch: int, n_hidden: int) -> None:
    """A hidden state (or its gradient) must broadcast to (batch, n_hidden)."""
    if value is None:
        return
    try:
        np.broadcast_shapes(np.shape(value), (batch, n_hidden))
    except ValueError:
        raise ValueError(f"{name} must have shape ({batch}, {n_hidden}), got {np.shape(value)}") from None
    if len(np.shape(value)) > 2:
        raise ValueError(f"{name} must have shape ({batch}, {n_hidden}), got {np.shape(value)}")


def forward(params: dict, xs: np.ndarray, h0: np.ndarray | None = None):
    """Run the RNN over ``xs`` (B, T, n_in).

    Returns ``ys`` (B, T, n_out), the output at every step, and ``hs`` (B, T+1, H),
    the hidden states with ``hs[:, 0] = h0``; BPTT needs them all. ``h0`` is (B, H) or
    (H,) (``None``: zeros). Raises ``ValueError`` for inputs or an ``h0`` of the wrong shape.
    """
    xs = validate.numeric_array("xs", xs)
    _check_inputs(params, xs)
    batch, steps, _ = xs.shape
    n_hidden = params["Whh"].shape[0]
    _check_state("h0", h0, batch, n_hidden)
    hs = np.empty((batch, steps + 1, n_hidden), dtype=params["Whh"].dtype)
    hs[:, 0] = 0.0 if h0 is None else h0
    for t in range(steps):
        hs[:, t + 1] = np.tanh(xs[:, t] @ params["Wxh"] + hs[:, t] @ params["Whh"] + params["bh"])
    ys = hs[:, 1:] @ params["Why"] + params["by"]
    return ys, hs


def backward(
    params: dict, xs: np.ndarray, hs: np.ndarray, dys: np.ndarray, dh_last: np.ndarray | None = None
):
    """Backpropagation through time.

    ``dys`` (B, T, n_out) is dL/dy_t at every step (zeros where a step has no loss);
    ``dh_last`` is a gradient arriving at the last hidden state from later chunks.
    Returns ``grads`` (same keys as ``params``) and ``dhs`` (B, T+1, H) with
    ``dhs[:, t]`` = dL/dh_t, the quantity chapter 3 measures (``dhs[:, 0]`` is dL/dh0).
    Raises ``ValueError`` when ``hs``, ``dys`` or ``dh_last`` do not have these shapes
    (``dh_last``: (B, H), or anything that broadcasts to it).
    """
    xs = validate.numeric_array("xs", xs)
    _check_inputs(params, xs)
    batch, steps, _ = xs.shape
    n_hidden, n_out = params["Why"].shape
    expected = {"hs": (batch, steps + 1, n_hidden), "dys": (batch, steps, n_out)}
    for name, value in {"hs": hs, "dys": dys}.items():
        if np.shape(value) != expected[name]:
            raise ValueError(f"{name} must have shape {expected[name]}, got {np.shape(value)}")
    _check_state("dh_last", dh_last, batch, n_hidden)
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    grads["Why"] = np.einsum("bth,bto->ho", hs[:, 1:], dys)
    grads["by"] = dys.sum(axis=(0, 1))
    dhs = np.zeros_like(hs)
    dh_next = np.zeros_like(hs[:, 0]) if dh_last is None else dh_last
    for t in reversed(range(steps)):
        dh = dys[:, t] @ params["Why"].T + dh_next  # from the output and from step t+1
        dhs[:, t + 1] = dh
        dpre = dh * (1.0 - hs[:, t + 1] ** 2)  # through tanh
        grads["Wxh"] += xs[:, t].T @ dpre
        grads["Whh"] += hs[:, t].T @ dpre
        grads["bh"] += dpre.sum(axis=0)
        dh_next = dpre @ params["Whh"].T  # to step t-1
    dhs[:, 0] = dh_next
    return grads, dhs


# --- losses: each returns (loss, dL/dys) -----------------------------------------------


def mse_last(ys: np.ndarray, targets: np.ndarray):
    """Mean squared error of the last step's output (many-to-one regression).

    ``ys`` (B, T, n_out); ``targets`` (B, n_out) or anything that reshapes to it.
    Returns ``(loss, dys)``; raises ``ValueError`` for targets of the wrong size or NaN.
    """
    ys = validate.numeric_array("ys", ys)  # NaN outputs are allowed: chapter 3 watches training diverge
    if ys.ndim != 3:
        raise ValueError(f"ys must have shape (batch, time, n_out), got {ys.shape}")
    given = np.shape(targets)
    targets = validate.finite_array("targets", targets, dtype=ys.dtype)
    if targets.size != ys.shape[0] * ys.shape[2]:
        raise ValueError(f"targets must have shape ({ys.shape[0]}, {ys.shape[2]}), got {given}")
    targets = targets.reshape(ys.shape[0], -1)
    error = ys[:, -1] - targets
    loss = float(np.mean(error**2))
    dys = np.zeros_like(ys)
    dys[:, -1] = 2.0 * error / error.size
    return loss, dys


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Softmax over the last axis of ``logits / temperature`` (numerically stable).

    ``logits``: any shape with a non-empty last axis, finite. ``temperature``: a positive,
    finite number; a tiny one gives near-greedy probabilities (never NaN). Raises
    ``ValueError`` for a NaN/infinite logit or temperature, or a temperature <= 0.
    """
    temperature = validate.temperature(temperature)
    logits = validate.numeric_array("logits", logits)
    if not np.issubdtype(logits.dtype, np.floating):
        logits = validate.finite_array("logits", logits)
    elif not np.all(np.isfinite(logits)):
        validate.finite_array("logits", logits, dtype=logits.dtype)
    if logits.ndim == 0 or logits.shape[-1] == 0:
        raise ValueError(f"logits must have a non-empty last axis, got shape {logits.shape}")
    return validate.tempered_softmax(logits, temperature)


def softmax_cross_entropy(logits: np.ndarray, targets: np.ndarray):
    """Mean cross-entropy (nats per prediction) of integer ``targets`` under ``softmax(logits)``.

    ``logits`` (..., n_classes), finite; ``targets`` integer ids of shape ``logits.shape[:-1]``
    in ``0..n_classes-1``. Returns ``(loss, dL/dlogits)``. Raises ``ValueError`` for a
    target outside that range (a negative one is not counted from the end) or a shape
    mismatch.
    """
    logits = validate.numeric_array("logits", logits)
    targets = validate.ids_in_range("targets", targets, logits.shape[-1] if logits.ndim else 0)
    if targets.shape != logits.shape[:-1]:
        raise ValueError(f"targets must have shape {logits.shape[:-1]}, got {targets.shape}")
    probs = softmax(logits)
    picked = np.take_along_axis(probs, targets[..., None], axis=-1)[..., 0]
    loss = float(-np.mean(np.log(picked)))
    dlogits = probs
    np.put_along_axis(dlogits, targets[..., None], picked[..., None] - 1.0, axis=-1)
    return loss, dlogits / targets.size


# --- clipping and optimisers -----------------------------------------------------------


def _check_grads(grads) -> None:
    if not isinstance(grads, dict):
        raise validate.ArgumentTypeError(
            f"grads must be a dict of arrays (name -> gradient), got {type(grads).__name__}"
        )


def global_norm(grads: dict) -> float:
    """sqrt of the sum of squares of every gradient entry (``grads``: name -> array)."""
    _check_grads(grads)
    return float(np.sqrt(sum(np.sum(g**2) for g in grads.values())))


def clip_by_value(grads: dict, limit: float) -> dict:
    """Each entry clamped to [-limit, limit] (changes the gradient's direction)."""
    _check_grads(grads)
    limit = validate.real("limit", limit, positive=True)
    return {name: np.clip(g, -limit, limit) for name, g in grads.items()}


def clip_by_norm(grads: dict, max_norm: float) -> dict:
    """All gradients rescaled together so their global norm is at most ``max_norm``
    (keeps the direction)."""
    max_norm = validate.real("max_norm", max_norm, positive=True)
    norm = global_norm(grads)
    scale = min(1.0, max_norm / (norm + 1e-12))
    return {name: g * scale for name, g in grads.items()}


class SGD:
    """Plain gradient descent: p -= lr * g."""

    def __init__(self, learning_rate: float):
        self.learning_rate = validate.real("learning_rate", learning_rate, positive=True)

    def update(self, params: dict, grads: dict) -> None:
        for name in params:
            params[name] -= self.learning_rate * grads[name]


class Adagrad(SGD):
    """Adagrad: each parameter's step is divided by the root of its summed squared gradients."""

    def __init__(self, learning_rate: float, eps: float = 1e-8):
        super().__init__(learning_rate)
        self.eps = eps
        self.memory: dict[str, np.ndarray] = {}

    def update(self, params: dict, grads: dict) -> None:
        for name in params:
            memory = self.memory.setdefault(name, np.zeros_like(params[name]))
            memory += grads[name] ** 2
            params[name] -= self.learning_rate * grads[name] / (np.sqrt(memory) + self.eps)


# --- character models --------------------------------------------------------------------

PROGRESS_FROM = 100_000  # samples from this many characters on show a progress bar


def sample(
    params: dict,
    start_ids,
    n_chars: int,
    rng: np.random.Generator,
    temperature: float = 1.0,
    h0: np.ndarray | None = None,
) -> np.ndarray:
    """Ancestral sampling from a character RNN with one-hot inputs.

    Feeds the prompt ``start_ids`` (one or more ids), then draws ``n_chars`` ids, each
    from ``softmax(logits / temperature)`` and fed back as the next input. Returns the
    ``n_chars`` sampled ids (int64), the prompt not included. A long request shows a
    progress bar and can be interrupted; one whose output would not fit in memory
    (:data:`rnnbook.validate.MAX_BYTES`) is refused before any work. Raises
    ``ValueError``/``TypeError`` naming a prompt id outside ``0..vocab_size-1``, a
    non-integer or non-positive ``n_chars``, or a bad temperature.
    """
    _check_params(params)
    vocab_size = params["Wxh"].shape[0]
    start_ids = np.atleast_1d(validate.ids_in_range("start_ids", start_ids, vocab_size))
    if start_ids.size == 0 or start_ids.ndim != 1:
        raise ValueError(f"start_ids must be a non-empty 1-D prompt of ids, got shape {start_ids.shape}")
    n_chars = validate.positive_int("n_chars", n_chars)
    validate.allocation("n_chars", n_chars, 8 * n_chars, "the sampled ids")
    temperature = validate.temperature(temperature)
    rng = validate.generator("rng", rng)
    eye = np.eye(vocab_size, dtype=params["Wxh"].dtype)
    _, hs = forward(params, eye[start_ids][None], h0)
    h = hs[:, -1]
    logits = h @ params["Why"] + params["by"]
    out = np.empty(n_chars, dtype=np.int64)
    for i in tqdm(range(n_chars), desc="sampling", unit="char", disable=n_chars < PROGRESS_FROM):
        out[i] = rng.choice(vocab_size, p=softmax(logits[0], temperature))
        h = np.tanh(eye[out[i]][None] @ params["Wxh"] + h @ params["Whh"] + params["bh"])
        logits = h @ params["Why"] + params["by"]
    return out


def stream_batches(ids: np.ndarray, batch_size: int, seq_len: int):
    """Chunks for truncated BPTT with a carried hidden state.

    The id sequence is cut into ``batch_size`` contiguous streams; chunk k holds the
    k-th ``seq_len`` characters of every stream, so row b of chunk k+1 continues row b
    of chunk k and the hidden state can be carried across. Yields ``(inputs, targets)``,
    both ``(batch_size, seq_len)`` int arrays, targets shifted by one character.
    """
    ids = validate.numeric_array("ids", ids)
    if ids.ndim != 1:
        raise ValueError(f"ids must be a 1-D sequence, got shape {ids.shape}")
    batch_size = validate.positive_int("batch_size", batch_size)
    seq_len = validate.positive_int("seq_len", seq_len)
    n_chunks = (len(ids) - 1) // (batch_size * seq_len)
    if n_chunks == 0:
        raise ValueError(
            f"{len(ids)} ids are too few for one chunk of batch_size*seq_len+1 = {batch_size * seq_len + 1}"
        )
    stream_len = n_chunks * seq_len
    inputs = ids[: batch_size * stream_len].reshape(batch_size, stream_len)
    targets = ids[1 : batch_size * stream_len + 1].reshape(batch_size, stream_len)
    for k in range(n_chunks):
        window = slice(k * seq_len, (k + 1) * seq_len)
        yield inputs[:, window], targets[:, window]
