"""The NumPy RNN: shapes, gradients (checked numerically), clipping, optimisers, sampling."""

import numpy as np
import pytest

from rnnbook import numpy_rnn as rnn
from rnnbook.gradcheck import check_gradients


def make(n_in, n_hidden, n_out, seed=0, scale=1.0):
    return rnn.init_params(n_in, n_hidden, n_out, np.random.default_rng(seed), recurrent_scale=scale)


def test_forward_shapes_and_initial_state():
    params = make(3, 5, 2)
    xs = np.random.default_rng(1).standard_normal((4, 7, 3))
    h0 = np.full((4, 5), 0.5)
    ys, hs = rnn.forward(params, xs, h0)
    assert ys.shape == (4, 7, 2)
    assert hs.shape == (4, 8, 5)
    np.testing.assert_array_equal(hs[:, 0], h0)
    expected_h1 = np.tanh(xs[:, 0] @ params["Wxh"] + h0 @ params["Whh"] + params["bh"])
    np.testing.assert_allclose(hs[:, 1], expected_h1)


def test_forward_rejects_wrong_input_shapes():
    params = make(3, 5, 2)
    with pytest.raises(ValueError, match=r"\(batch, time, 3\)"):
        rnn.forward(params, np.zeros((7, 3)))
    with pytest.raises(ValueError, match=r"got \(4, 7, 2\)"):
        rnn.forward(params, np.zeros((4, 7, 2)))


@pytest.mark.parametrize(
    "batch,steps,n_in,n_hidden,n_out,seed",
    [
        (1, 1, 1, 1, 1, 0),
        (1, 5, 1, 8, 1, 1),
        (4, 3, 2, 5, 3, 2),
        (7, 10, 4, 6, 2, 3),
        (3, 20, 3, 4, 4, 4),
    ],
)
@pytest.mark.parametrize("loss_kind", ["mse_last", "cross_entropy_every_step"])
def test_bptt_matches_central_differences(batch, steps, n_in, n_hidden, n_out, seed, loss_kind):
    rng = np.random.default_rng(seed)
    params = make(n_in, n_hidden, n_out, seed)
    for name in ("bh", "by"):  # non-zero biases, so their gradients are exercised too
        params[name] += 0.1 * rng.standard_normal(params[name].shape)
    xs = rng.standard_normal((batch, steps, n_in))
    h0 = 0.3 * rng.standard_normal((batch, n_hidden))
    if loss_kind == "mse_last":
        targets = rng.standard_normal((batch, n_out))
        loss_fn = rnn.mse_last
    else:
        targets = rng.integers(0, n_out, size=(batch, steps))
        loss_fn = rnn.softmax_cross_entropy

    def loss():
        return loss_fn(rnn.forward(params, xs, h0)[0], targets)[0]

    ys, hs = rnn.forward(params, xs, h0)
    _, dys = loss_fn(ys, targets)
    grads, dhs = rnn.backward(params, xs, hs, dys)
    errors = check_gradients(loss, params, grads)
    assert max(errors.values()) < 1e-6, errors
    # dL/dh0 as well: the gradient that truncated BPTT would pass to an earlier chunk.
    h0_holder = {"h0": h0}
    errors = check_gradients(
        lambda: loss_fn(rnn.forward(params, xs, h0_holder["h0"])[0], targets)[0], h0_holder, {"h0": dhs[:, 0]}
    )
    assert errors["h0"] < 1e-6


def test_gradient_check_catches_a_wrong_gradient():
    params = make(2, 3, 1)
    xs = np.random.default_rng(0).standard_normal((2, 4, 2))
    targets = np.ones((2, 1))
    ys, hs = rnn.forward(params, xs)
    grads, _ = rnn.backward(params, xs, hs, rnn.mse_last(ys, targets)[1])
    grads["Whh"] = grads["Whh"] * 1.01  # a 1% mistake must be visible
    errors = check_gradients(lambda: rnn.mse_last(rnn.forward(params, xs)[0], targets)[0], params, grads)
    assert errors["Whh"] > 1e-3
    assert errors["Wxh"] < 1e-6


def test_batched_gradient_is_the_mean_of_per_sequence_gradients():
    rng = np.random.default_rng(5)
    params = make(3, 4, 1)
    xs, targets = rng.standard_normal((6, 5, 3)), rng.standard_normal((6, 1))
    ys, hs = rnn.forward(params, xs)
    batch_grads, _ = rnn.backward(params, xs, hs, rnn.mse_last(ys, targets)[1])
    for name in params:
        per_sequence = []
        for b in range(6):
            ys_b, hs_b = rnn.forward(params, xs[b : b + 1])
            g, _ = rnn.backward(params, xs[b : b + 1], hs_b, rnn.mse_last(ys_b, targets[b : b + 1])[1])
            per_sequence.append(g[name])
        np.testing.assert_allclose(batch_grads[name], np.mean(per_sequence, axis=0), atol=1e-12)


def test_clipping():
    grads = {"a": np.array([3.0, -4.0]), "b": np.array([0.0])}
    assert rnn.global_norm(grads) == pytest.approx(5.0)
    clipped = rnn.clip_by_norm(grads, 1.0)
    assert rnn.global_norm(clipped) == pytest.approx(1.0)
    np.testing.assert_allclose(clipped["a"], [0.6, -0.8])  # direction kept
    np.testing.assert_array_equal(rnn.clip_by_norm(grads, 10.0)["a"], grads["a"])  # small: untouched
    np.testing.assert_array_equal(rnn.clip_by_value(grads, 1.0)["a"], [1.0, -1.0])
    for clip in (rnn.clip_by_norm, rnn.clip_by_value):
        with pytest.raises(ValueError, match="must be a positive number"):
            clip(grads, 0)


def test_optimisers_step_downhill():
    params = {"w": np.array([1.0, -2.0])}
    grads = {"w": np.array([0.5, -1.0])}
    rnn.SGD(0.1).update(params, grads)
    np.testing.assert_allclose(params["w"], [0.95, -1.9])
    params = {"w": np.array([1.0, -2.0])}
    adagrad = rnn.Adagrad(0.1)
    adagrad.update(params, grads)
    np.testing.assert_allclose(params["w"], [0.9, -1.9])  # first step: lr * sign(g)
    adagrad.update(params, grads)
    np.testing.assert_allclose(params["w"], [0.9 - 0.1 / np.sqrt(2), -1.9 + 0.1 / np.sqrt(2)])
    with pytest.raises(ValueError, match="learning_rate"):
        rnn.Adagrad(0)


def test_softmax_and_temperature():
    logits = np.array([1.0, 2.0, 3.0])
    p = rnn.softmax(logits)
    assert p.sum() == pytest.approx(1.0)
    assert rnn.softmax(logits, 0.1)[2] > p[2] > rnn.softmax(logits, 10.0)[2]
    with pytest.raises(ValueError, match="temperature must be a positive"):
        rnn.softmax(logits, 0)


def test_sampling_is_seeded_and_validates_arguments():
    params = make(5, 8, 5)
    first = rnn.sample(params, [1, 2], 20, np.random.default_rng(3))
    again = rnn.sample(params, [1, 2], 20, np.random.default_rng(3))
    assert first.shape == (20,) and first.min() >= 0 and first.max() < 5
    np.testing.assert_array_equal(first, again)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="empty"):
        rnn.sample(params, [], 5, rng)
    with pytest.raises(ValueError, match="0..4"):
        rnn.sample(params, [7], 5, rng)
    with pytest.raises(ValueError, match="n_chars"):
        rnn.sample(params, [1], 0, rng)
    with pytest.raises(ValueError, match="temperature"):
        rnn.sample(params, [1], 5, rng, temperature=-1)


def test_stream_batches_continue_each_row():
    ids = np.arange(101)
    chunks = list(rnn.stream_batches(ids, batch_size=4, seq_len=5))
    assert len(chunks) == 5
    x0, y0 = chunks[0]
    x1, _ = chunks[1]
    assert x0.shape == y0.shape == (4, 5)
    np.testing.assert_array_equal(y0, x0 + 1)  # targets are the next character
    np.testing.assert_array_equal(x1[:, 0], x0[:, -1] + 1)  # row b of chunk 1 continues row b of chunk 0
    with pytest.raises(ValueError, match="too few"):
        list(rnn.stream_batches(np.arange(10), 4, 5))
    with pytest.raises(ValueError, match="seq_len"):
        list(rnn.stream_batches(ids, 4, 0))


def test_init_rejects_non_positive_sizes():
    with pytest.raises(ValueError, match="n_hidden"):
        rnn.init_params(2, 0, 1, np.random.default_rng(0))


def test_gradient_checker_needs_float64():
    from rnnbook.gradcheck import numerical_gradient

    with pytest.raises(ValueError, match="float64"):
        numerical_gradient(lambda: 0.0, np.zeros(3, dtype=np.float32))
