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


# --- dL/dh_t at every step and the gradient from a later chunk (issue 16) -------------------


def _loss_from(params, xs, h0, targets, dh_weight):
    """Cross-entropy at every step plus <dh_weight, h_T>: the second term is how a later
    chunk's loss reaches this chunk's last hidden state (its gradient is dh_weight)."""
    ys, hs = rnn.forward(params, xs, h0)
    loss, _ = rnn.softmax_cross_entropy(ys, targets)
    return loss + float(np.sum(dh_weight * hs[:, -1]))


@pytest.mark.parametrize("with_dh_last", [False, True])
def test_dl_dh_t_for_every_hidden_state_matches_finite_differences(with_dh_last):
    """Perturb h_t inside the unrolled loop, one entry at a time, and compare with dhs[:, t]."""
    rng = np.random.default_rng(16)
    batch, steps, n_in, n_hidden, n_out = 2, 6, 3, 4, 3
    params = make(n_in, n_hidden, n_out, seed=5, scale=1.2)
    params["bh"] += 0.3 * rng.standard_normal(n_hidden)
    xs = rng.standard_normal((batch, steps, n_in))
    h0 = 0.4 * rng.standard_normal((batch, n_hidden))
    targets = rng.integers(0, n_out, size=(batch, steps))
    dh_last = rng.standard_normal((batch, n_hidden)) if with_dh_last else np.zeros((batch, n_hidden))

    ys, hs = rnn.forward(params, xs, h0)
    _, dys = rnn.softmax_cross_entropy(ys, targets)
    _, dhs = rnn.backward(params, xs, hs, dys, dh_last if with_dh_last else None)

    def loss_with_bump(t, b, j, eps):
        """The same loss, written out step by step, with h_t[b, j] moved by eps."""
        h = h0.copy()
        if t == 0:
            h[b, j] += eps
        logits = []
        for k in range(1, steps + 1):
            h = np.tanh(xs[:, k - 1] @ params["Wxh"] + h @ params["Whh"] + params["bh"])
            if k == t:
                h = h.copy()
                h[b, j] += eps
            logits.append(h @ params["Why"] + params["by"])
        z = np.stack(logits, axis=1)
        z = z - z.max(axis=-1, keepdims=True)
        log_p = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
        picked = np.take_along_axis(log_p, targets[..., None], axis=-1)
        return -picked.mean() + float(np.sum(dh_last * h))

    eps = 1e-6
    numeric = np.zeros_like(dhs)
    for t in range(steps + 1):
        for b in range(batch):
            for j in range(n_hidden):
                plus, minus = loss_with_bump(t, b, j, eps), loss_with_bump(t, b, j, -eps)
                numeric[b, t, j] = (plus - minus) / (2 * eps)
    np.testing.assert_allclose(dhs, numeric, rtol=1e-6, atol=1e-9)
    # the parameter gradients see dh_last too
    grads, _ = rnn.backward(params, xs, hs, dys, dh_last if with_dh_last else None)
    errors = check_gradients(lambda: _loss_from(params, xs, h0, targets, dh_last), params, grads)
    assert max(errors.values()) < 1e-7, errors


def test_dh_last_changes_the_gradients_as_the_chain_rule_says():
    """dh_last enters linearly: backward(dh_last) - backward(None) is backward with dys = 0."""
    rng = np.random.default_rng(3)
    params = make(2, 3, 2, seed=1)
    xs = rng.standard_normal((2, 4, 2))
    _, hs = rnn.forward(params, xs)
    dys = rng.standard_normal((2, 4, 2))
    dh_last = rng.standard_normal((2, 3))
    with_last, dhs_with = rnn.backward(params, xs, hs, dys, dh_last)
    without, dhs_without = rnn.backward(params, xs, hs, dys)
    only_last, dhs_only = rnn.backward(params, xs, hs, np.zeros_like(dys), dh_last)
    for name in rnn.PARAM_NAMES:
        np.testing.assert_allclose(with_last[name] - without[name], only_last[name], atol=1e-12)
    np.testing.assert_allclose(dhs_only[:, -1], dh_last)  # it arrives at h_T unchanged
    np.testing.assert_allclose(dhs_with - dhs_without, dhs_only, atol=1e-12)
    assert np.abs(only_last["Whh"]).max() > 1e-3  # and it does reach the weights


# --- sampling is tested for its distribution, not only its shape (issue 16) -----------------


def _independent_next_probs(params, prompt, temperature):
    """softmax(z / T) after reading ``prompt``, computed here without the library."""
    h = np.zeros(params["Whh"].shape[0])
    for i in prompt:
        h = np.tanh(params["Wxh"][i] + h @ params["Whh"] + params["bh"])
    z = (h @ params["Why"] + params["by"]) / temperature
    e = np.exp(z - z.max())
    return e / e.sum()


def _sampling_params():
    params = make(4, 6, 4, seed=11)
    params["Wxh"] *= 3.0  # the last prompt character matters a lot
    params["Why"] *= 3.0  # logits far apart, so the temperature matters a lot
    return params


@pytest.mark.parametrize("temperature", [0.5, 1.0, 2.0])
def test_sample_draws_the_first_character_from_softmax_of_logits_over_t(temperature):
    params, prompt, n = _sampling_params(), [2, 0, 3], 6000
    rng = np.random.default_rng(42)
    draws = np.array([rnn.sample(params, prompt, 1, rng, temperature)[0] for _ in range(n)])
    freq = np.bincount(draws, minlength=4) / n
    exact = _independent_next_probs(params, prompt, temperature)
    # what a sampler that ignored the temperature, or the prompt's last character, would give
    wrong_t = _independent_next_probs(params, prompt, 1.0)
    wrong_prompt = _independent_next_probs(params, prompt[:-1], temperature)
    tolerance = 5 * np.sqrt(0.25 / n)  # five standard deviations of a frequency
    assert np.abs(freq - exact).max() < tolerance, (freq, exact)
    assert np.abs(wrong_prompt - exact).max() > 3 * tolerance  # the test can tell
    if temperature != 1.0:
        assert np.abs(wrong_t - exact).max() > 3 * tolerance


def test_sample_feeds_each_sampled_character_back():
    """P(third | first two) must be the model's distribution after reading prompt + first two."""
    params, prompt, n, temperature = _sampling_params(), [1], 8000, 0.8
    rng = np.random.default_rng(7)
    draws = np.array([rnn.sample(params, prompt, 3, rng, temperature) for _ in range(n)])
    checked = 0
    for first in range(4):
        for second in range(4):
            rows = draws[(draws[:, 0] == first) & (draws[:, 1] == second), 2]
            if len(rows) < 400:
                continue
            freq = np.bincount(rows, minlength=4) / len(rows)
            exact = _independent_next_probs(params, [*prompt, first, second], temperature)
            assert np.abs(freq - exact).max() < 5 * np.sqrt(0.25 / len(rows)), (first, second, freq, exact)
            checked += 1
    assert checked >= 3  # enough contexts were seen to test


def test_long_samples_show_progress(monkeypatch, capsys):
    monkeypatch.setattr(rnn, "PROGRESS_FROM", 10)
    rnn.sample(make(3, 4, 3), [0], 5, np.random.default_rng(0))
    assert "sampling" not in capsys.readouterr().err  # short: quiet
    rnn.sample(make(3, 4, 3), [0], 20, np.random.default_rng(0))
    err = capsys.readouterr().err
    assert "sampling" in err and "20/20" in err
