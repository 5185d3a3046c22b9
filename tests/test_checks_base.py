import re

import numpy as np
import pytest

from rnnbook.checks import CheckFailed, expect_close, expect_shape, passed


def test_shape_message_names_both_shapes():
    with pytest.raises(CheckFailed, match=r"h has shape \(3, 2\), expected \(2, 3\)"):
        expect_shape("h", np.zeros((3, 2)), (2, 3))
    with pytest.raises(CheckFailed, match="forget to `return`"):
        expect_shape("h", None, (2,))


def test_value_message_names_the_first_wrong_entry_and_the_difference():
    expected = np.arange(6.0).reshape(2, 3)
    got = expected.copy()
    got[1, 2] += 0.5
    with pytest.raises(CheckFailed, match=r"at index \(1, 2\): got 5.5, expected 5 .*1 of 6 .*0.5"):
        expect_close("y", got, expected)
    with pytest.raises(CheckFailed, match="NaN"):
        expect_close("y", np.full((2, 3), np.nan), expected)
    expect_close("y", expected + 1e-12, expected)


def test_passed_prints_correct(capsys):
    passed("well done")
    assert capsys.readouterr().out == "Correct! well done\n"


# --- every checker: an independent right answer passes, a near miss fails (issue 16) ---------
#
# The right answers are written out here, not taken from the library, and each checker is
# given the same answer nudged by a small relative error: it must pass when the nudge is far
# below its tolerance and fail when it is above, which pins the tolerance (a checker whose
# tolerance was loosened to 1e-1 fails these tests).

import math  # noqa: E402

from rnnbook.checks import ch01, ch02, ch03, ch04, ch05, ch06, ch07, ch08, ch09, ch10, ch11  # noqa: E402


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _softmax_rows(z, axis=-1):
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def rnn_step(x, h, Wxh, Whh, bh):
    return np.tanh(x @ Wxh + h @ Whh + bh)


def count_params(n_in, h1, h2, n_out):
    return n_in * h1 + h1 * h1 + h1 + h1 * h2 + h2 * h2 + h2 + h2 * n_out + n_out


def batch_bptt(params, xs, hs, dys):
    """Sequence by sequence, with outer products: a different route from the library's."""
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    for b in range(xs.shape[0]):
        carry = np.zeros(params["Whh"].shape[0])
        for t in range(xs.shape[1], 0, -1):
            d = dys[b, t - 1]
            grads["Why"] += np.outer(hs[b, t], d)
            grads["by"] += d
            g = (params["Why"] @ d + carry) * (1 - hs[b, t] ** 2)
            grads["Wxh"] += np.outer(xs[b, t - 1], g)
            grads["Whh"] += np.outer(hs[b, t - 1], g)
            grads["bh"] += g
            carry = params["Whh"] @ g
    return grads


def clip(grads, max_norm):
    norm = math.sqrt(sum(float((g**2).sum()) for g in grads.values()))
    scale = max_norm / norm if norm > max_norm else 1.0
    return {k: g * scale for k, g in grads.items()}


def jacobian(Whh, hs, t):
    out = np.eye(Whh.shape[0])
    for k in range(t + 1, hs.shape[0]):
        out = np.diag(1 - hs[k] ** 2) @ Whh.T @ out
    return out


def temperature_softmax(logits, temperature):
    if temperature <= 0:
        raise ValueError("temperature must be > 0")
    return _softmax_rows(np.asarray(logits) / temperature)


def cross_entropy_and_grad(logits, targets):
    p = _softmax_rows(logits)
    n = targets.size
    picked = np.take_along_axis(p, targets[..., None], -1)[..., 0]
    onehot = np.eye(logits.shape[-1])[targets]
    return float(-np.log(picked).mean()), (p - onehot) / n


def keras_count(kind, units, features):
    blocks, biases = {"SimpleRNN": (1, 1), "LSTM": (4, 1), "GRU": (3, 2)}[kind]
    return blocks * (units * features + units * units + biases * units)


def make_windows(series, window):
    n = len(series) - window
    return np.array([series[i : i + window] for i in range(n)])[..., None], np.array(series[window:])[:, None]


def lstm_step(x, h, c, kernel, recurrent_kernel, bias):
    z = x @ kernel + h @ recurrent_kernel + bias
    i, f, g, o = np.split(z, 4, axis=-1)
    c_new = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
    return _sigmoid(o) * np.tanh(c_new), c_new


def gru_step(x, h, kernel, recurrent_kernel, bias):
    xz, xr, xh = np.split(x @ kernel + bias, 3, axis=-1)
    uz, ur, uh = np.split(recurrent_kernel, 3, axis=-1)
    z, r = _sigmoid(xz + h @ uz), _sigmoid(xr + h @ ur)
    return z * h + (1 - z) * np.tanh(xh + (r * h) @ uh)


def next_char_windows(ids, length):
    view = np.lib.stride_tricks.sliding_window_view(ids, length)
    return view[:-1], view[1:]


def one_hot_bytes(n_chars, length, vocab_size, itemsize):
    return (n_chars - length + 1) * length * vocab_size * itemsize


def loss_units(loss):
    return loss / math.log(2), math.exp(loss)


def attention_pool(scores, values):
    weights = _softmax_rows(scores, axis=1)
    return (weights[..., None] * values).sum(axis=1), weights


def ceiling(seq_len, n_symbols):
    later = seq_len - 1 - np.arange(seq_len)  # positions after each one
    q = 1 - (1 - 1 / n_symbols) ** later  # P(a marker comes later)
    return np.maximum(q, 1 - q)


def seasonal_naive(x, period):
    if period > x.shape[1]:
        raise ValueError("period longer than the window")
    return x[:, x.shape[1] - period]


def init_new_rows(table, old_vocab, new_chars, similar):
    rows = [table[old_vocab.index[similar[c]]] if c in similar else table.mean(axis=0) for c in new_chars]
    return np.vstack([table, rows])


def masked_softmax(scores, valid):
    """Row softmax over the valid positions only, written with a Python loop per row."""
    out = np.zeros_like(scores, dtype=float)
    for i in range(scores.shape[0]):
        kept = scores[i][valid[i]]
        e = np.exp(kept - kept.max())
        out[i][valid[i]] = e / e.sum()
    return out


def beam_step(scores, log_probs, beam_width):
    """Every (prefix, character) extension ranked by total log-probability, best first."""
    extended = sorted(
        ((scores[k] + log_probs[k, v], k, v) for k in range(len(scores)) for v in range(log_probs.shape[1])),
        key=lambda item: -item[0],
    )[:beam_width]
    return (
        np.array([k for _, k, _ in extended]),
        np.array([v for _, _, v in extended]),
        np.array([total for total, _, _ in extended]),
    )


def _nudge(value, delta):
    """``value`` with a relative error of about ``delta``, keeping probabilities normalised."""
    if isinstance(value, tuple):
        return tuple(_nudge(v, delta) for v in value)
    if isinstance(value, dict):
        return {k: _nudge(v, delta) for k, v in value.items()}
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        return value + (1 if delta >= 1e-4 else 0)  # counts are exact: a near miss is one off
    array = np.asarray(value)
    if array.dtype == bool or not np.issubdtype(array.dtype, np.number):
        return value
    return array * (1 + delta)


def _nudge_probabilities(value, delta):
    """Moves probability between entries (a relative error ~delta) and renormalises."""
    p = np.asarray(value, dtype=float)
    signs = np.where(np.arange(p.shape[-1]) % 2 == 0, 1.0, -1.0)
    q = p * (1 + delta * signs)
    return q / q.sum(axis=-1, keepdims=True)


def _nudge_beam(value, delta):
    parents, tokens, new_scores = value
    return parents, tokens, new_scores * (1 + delta)


def _nudge_pool(value, delta):
    pooled, weights = value
    return pooled * (1 + delta), weights


# checker, right answer, nudge, delta far below the tolerance (passes), delta above it (fails)
NEAR_MISSES = [
    (ch01.check_rnn_step, rnn_step, _nudge, 1e-10, 1e-4),
    (ch01.check_count_stacked_params, count_params, _nudge, 0.0, 1e-3),
    (ch02.check_batch_bptt, batch_bptt, _nudge, 1e-8, 1e-5),
    (ch03.check_clip_by_norm, clip, _nudge, 1e-10, 1e-5),
    (ch03.check_state_jacobian, jacobian, _nudge, 1e-10, 1e-5),
    (ch04.check_temperature_softmax, temperature_softmax, _nudge_probabilities, 1e-10, 1e-4),
    (ch04.check_cross_entropy_and_grad, cross_entropy_and_grad, _nudge, 1e-10, 1e-3),
    (ch05.check_parameter_count, keras_count, _nudge, 0.0, 1e-3),
    (ch05.check_make_windows, make_windows, _nudge, 1e-10, 1e-4),
    (ch06.check_lstm_step, lstm_step, _nudge, 1e-9, 1e-3),
    (ch06.check_gru_step_reset_before, gru_step, _nudge, 1e-9, 1e-3),
    (ch07.check_next_char_windows, next_char_windows, lambda v, d: v, None, None),
    (ch07.check_one_hot_bytes, one_hot_bytes, _nudge, 0.0, 1e-3),
    (ch07.check_temperature_probabilities, temperature_softmax, _nudge_probabilities, 1e-10, 1e-4),
    (ch08.check_temperature_probs, temperature_softmax, _nudge_probabilities, 1e-10, 1e-3),
    (ch08.check_loss_units, loss_units, _nudge, 1e-10, 1e-4),
    (ch09.check_attention_pool, attention_pool, _nudge_pool, 1e-10, 1e-3),
    (ch09.check_causal_ceiling, ceiling, _nudge, 1e-10, 1e-4),
    (ch10.check_seasonal_naive, seasonal_naive, _nudge, 1e-10, 1e-3),
    (ch10.check_init_from_similar, init_new_rows, _nudge, 1e-10, 1e-3),
    (ch11.check_masked_softmax, masked_softmax, _nudge_probabilities, 1e-10, 1e-4),
    (ch11.check_beam_step, beam_step, _nudge_beam, 1e-10, 1e-4),
]


def _nudged(answer, nudge, delta):
    def nudged(*args):
        return nudge(answer(*args), delta)

    return nudged


@pytest.mark.parametrize(
    ("check", "answer", "nudge", "small", "large"), NEAR_MISSES, ids=[r[0].__name__ for r in NEAR_MISSES]
)
def test_checker_passes_an_independent_answer_and_fails_a_near_miss(
    check, answer, nudge, small, large, capsys
):
    check(answer)
    if small is None:  # exact answers (views of the ids): nothing to nudge
        assert "Correct!" in capsys.readouterr().out
        return
    check(_nudged(answer, nudge, small))
    assert capsys.readouterr().out.count("Correct!") == 2
    with pytest.raises(CheckFailed):
        check(_nudged(answer, nudge, large))


def test_ch02_checker_fails_an_answer_off_by_1e_3_relative():
    with pytest.raises(CheckFailed, match=r"relative error 0\.0005 .*below 1e-06"):
        ch02.check_batch_bptt(_nudged(batch_bptt, _nudge, 1e-3))


def pad_with_mask(sequences, length):
    ids = np.zeros((len(sequences), length), dtype=int)
    for row, seq in enumerate(sequences):
        ids[row, : len(seq)] = seq
    return ids, ids != 0


def test_pad_with_mask_checker_passes_an_independent_answer_and_fails_pre_padding(capsys):
    ch10.check_pad_with_mask(pad_with_mask)
    assert "Correct!" in capsys.readouterr().out
    with pytest.raises(CheckFailed, match="padded at the front"):
        ch10.check_pad_with_mask(
            lambda s, n: tuple(a[:, ::-1] for a in pad_with_mask([q[::-1] for q in s], n))
        )


# --- mutation testing (issue 16): the helpers' exact values and messages ----------------------

import functools  # noqa: E402
import types  # noqa: E402
import warnings  # noqa: E402

from rnnbook import checks  # noqa: E402


def test_passed_wraps_at_80_columns_without_breaking_hyphenated_words(capsys):
    passed("x" * 62 + " one-step-model-agrees")
    assert capsys.readouterr().out == "Correct! " + "x" * 62 + "\none-step-model-agrees\n"


def test_describe_names_functions_and_shortens_long_reprs():
    assert checks.describe(rnn_step) == "the function rnn_step"
    assert checks.describe(len) == "the builtin_function_or_method len"
    assert checks.describe(types.SimpleNamespace(__name__="x")) == "namespace(__name__='x') (SimpleNamespace)"
    assert checks.describe(functools.partial(int)).endswith("(partial)")
    assert checks.describe("x" * 58) == "'" + "x" * 58 + "' (str)"  # a repr of 60 characters is kept
    assert checks.describe("x" * 59) == "'" + "x" * 56 + "... (str)"


def test_first_line_of_an_error():
    assert checks._first_line(ValueError("first\nsecond")) == "first"
    assert checks._first_line(ValueError()) == "(no message)"


def test_a_checker_wraps_a_function_by_default_and_names_the_check():
    @checks.checker("a function f(x) returning a number")  # decorated here, where the test runs
    def check_demo(f):
        return f(1)

    def broken(x):
        raise ValueError()

    with pytest.raises(CheckFailed) as info:
        check_demo(broken)
    assert str(info.value) == (
        "your function raised ValueError: (no message) "
        "(the checker expects a function f(x) returning a number)"
    )
    with pytest.raises(CheckFailed) as info:
        check_demo(3)
    assert str(info.value) == (
        "check_demo expects a function f(x) returning a number; got 3 (int). "
        "Pass the function itself (its name, no parentheses)"
    )


def test_expect_shape_messages_for_what_is_not_an_array_of_numbers():
    with pytest.raises(CheckFailed) as info:
        expect_shape("h", [[1, 2], [3]], [2, 2])
    assert str(info.value) == "h is [[1, 2], [3]] (list), expected an array of shape (2, 2)"
    with pytest.raises(CheckFailed) as info:
        expect_shape("h", ["a", "b"], [2])
    assert str(info.value) == "h is ['a', 'b'] (list), expected an array of numbers of shape (2,)"
    with pytest.raises(CheckFailed) as info:
        expect_shape("h", np.array([1, None], dtype=object), [2])
    assert str(info.value) == (
        "h is an array of shape (2,) and dtype object, expected an array of numbers of shape (2,)"
    )


def test_expect_close_messages_and_tolerances():
    with pytest.raises(CheckFailed) as info:
        expect_close("y", np.zeros(3), np.zeros(4))
    assert str(info.value) == "y has shape (3,), expected (4,)"
    with pytest.raises(CheckFailed) as info:
        expect_close("y", np.array([1.0, 2.0]), np.array([1.0, 2.5]))
    assert str(info.value) == (
        "y is wrong at index (1,): got 2, expected 2.5 (1 of 2 entries differ; largest difference 0.5)"
    )
    with pytest.raises(CheckFailed) as info:
        expect_close("y", 2.0, 1.0)
    assert str(info.value) == "y is wrong: got 2, expected 1 (1 of 1 entries differ; largest difference 1)"
    big = np.full(3, 1000.0)
    with pytest.raises(CheckFailed):  # relative error 3e-6: above the default rtol of 1e-6
        expect_close("y", big * (1 + 3e-6), big)
    expect_close("y", big * (1 + 3e-6), big, rtol=1e-5)
    expect_close("y", np.array([0.05]), np.array([0.0]), atol=0.1)  # the caller's atol is used


# --- chapter 2's hidden cases (mutation testing, issue 16) ----------------------------------


def _bptt_with(change):
    def student(params, xs, hs, dys):
        return batch_bptt(params, xs, *change(hs.copy(), dys.copy()))

    return student


def _zero_h0(hs, dys):
    hs[:, 0] = 0.0
    return hs, dys


def test_ch02_a_bptt_that_forgets_the_initial_state_fails():
    with pytest.raises(CheckFailed, match=r"grads\['Whh'\] is wrong"):
        ch02.check_batch_bptt(_bptt_with(_zero_h0))


def _last_output_only(hs, dys):
    dys[:, :-1] = 0.0
    return hs, dys


def test_ch02_a_bptt_that_reads_only_the_last_output_fails_on_the_first_case_with_a_loss_at_every_step():
    with pytest.raises(CheckFailed) as info:
        ch02.check_batch_bptt(_bptt_with(_last_output_only))
    assert (
        "for a batch of 3 sequence(s) of 4 step(s), n_in=2, n_hidden=5, n_out=2, loss at every step."
        in str(info.value)
    )


def test_ch02_a_wrong_answer_fails_on_the_first_case_whose_loss_is_at_the_last_step_only():
    def doubled(params, xs, hs, dys):
        return {**batch_bptt(params, xs, hs, dys), "by": 2 * dys.sum(axis=(0, 1))}

    with pytest.raises(CheckFailed) as info:
        ch02.check_batch_bptt(doubled)
    message = str(info.value)
    assert message.startswith("grads['by'] is wrong: relative error ")
    assert message.endswith(
        "(should be below 1e-06) for a batch of 1 sequence(s) of 1 step(s), n_in=1, n_hidden=3, "
        "n_out=1, loss at the last step only. Hint: dL/db_y sums dy_t over every step and every sequence."
    )


def test_ch02_changing_an_input_in_place_is_named():
    def in_place(params, xs, hs, dys):
        grads = batch_bptt(params, xs, hs, dys)
        xs *= 2
        return grads

    with pytest.raises(CheckFailed) as info:
        ch02.check_batch_bptt(in_place)
    assert str(info.value) == (
        "the function changed its input 'xs' in place; compute new arrays instead "
        "(the caller still needs the parameters and the forward pass)"
    )


# --- the checkers' own bodies (mutation testing with the @checker decoration undone, issue 16) ---
#
# tools/undecorate_checkers.py lets mutmut mutate the check_* bodies: their hidden cases, their
# tolerances and every message a student reads. These tests pin the messages exactly and show
# that every hidden case is checked and named.


def _failure(check, answer) -> str:
    with pytest.raises(CheckFailed) as info:
        check(answer)
    return str(info.value)


def _wrong_on_call(answer, k, wrong):
    """``answer``, except that its k-th call (1-based) returns ``wrong(result)``: a mistake that
    only one hidden case can show."""
    calls = []

    def student(*args):
        calls.append(args)
        result = answer(*args)
        return wrong(result) if len(calls) == k else result

    return student


@pytest.mark.parametrize(
    ("k", "sizes"),
    [
        (1, "batch=4, n_in=3, n_hidden=5"),
        (2, "batch=1, n_in=2, n_hidden=3"),
        (3, "batch=6, n_in=7, n_hidden=2"),
    ],
)
def test_ch01_rnn_step_checks_and_names_every_hidden_case(k, sizes):
    message = _failure(ch01.check_rnn_step, _wrong_on_call(rnn_step, k, lambda h: h[:, :-1]))
    n_hidden = int(sizes.rsplit("=", 1)[1])
    batch = int(sizes.split(",")[0].split("=")[1])
    assert message == f"h_t for {sizes} has shape ({batch}, {n_hidden - 1}), expected ({batch}, {n_hidden})"
    message = _failure(ch01.check_rnn_step, _wrong_on_call(rnn_step, k, lambda h: h * 1.01))
    assert message.startswith(f"h_t for {sizes} is wrong at index (0, 0): got ")


def test_ch01_rnn_step_hidden_cases_are_not_square():
    for x, h, Wxh, Whh, bh in ch01._step_cases(np.random.default_rng(0)):
        batch, n_in, n_hidden = x.shape[0], x.shape[1], Whh.shape[0]
        assert len({batch, n_in, n_hidden}) == 3, "a transposed answer could pass a square case"
        assert h.min() < 0 < h.max() and Wxh.shape == (n_in, n_hidden) and bh.shape == (n_hidden,)


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (
            lambda x, h, Wxh, Whh, bh: x @ Wxh + h @ Whh + bh,
            "it equals the pre-activation without tanh: apply np.tanh to the sum",
        ),
        (
            lambda x, h, Wxh, Whh, bh: np.tanh(x @ Wxh + h @ Whh.T + bh),
            "it uses Whh transposed: with batches as rows the step is h_prev @ Whh",
        ),
        (lambda x, h, Wxh, Whh, bh: np.tanh(x @ Wxh + h @ Whh), "it leaves out the bias bh"),
        (
            lambda x, h, Wxh, Whh, bh: np.tanh(x @ Wxh + bh),
            "it ignores h_prev, so the network has no memory: add h_prev @ Whh",
        ),
        (lambda x, h, Wxh, Whh, bh: np.tanh(h @ Whh + bh), "it ignores the input x_t: add x_t @ Wxh"),
        (
            lambda x, h, Wxh, Whh, bh: _sigmoid(x @ Wxh + h @ Whh + bh),
            "it uses a sigmoid; the vanilla RNN uses tanh",
        ),
    ],
)
def test_ch01_rnn_step_hints_exactly(wrong, hint):
    assert _failure(ch01.check_rnn_step, wrong) == f"h_t is wrong: {hint}"
    # a mistake is only recognised within the checker's tolerance: 3e-6 off it is a plain wrong value
    near = _failure(ch01.check_rnn_step, lambda *a: wrong(*a) * (1 + 3e-6))
    assert near.startswith("h_t for batch=4, n_in=3, n_hidden=5 is wrong at index")


def test_ch01_rnn_step_messages_exactly(capsys):
    ch01.check_rnn_step(rnn_step)
    assert capsys.readouterr().out == (
        "Correct! rnn_step matches h_t = tanh(x_t @ Wxh + h_prev @ Whh + bh) on 3 hidden\ntest cases.\n"
    )
    assert _failure(ch01.check_rnn_step, lambda *a: rnn_step(*a).T) == (
        "h_t has shape (5, 4), expected (4, 5) (batch, hidden): it looks transposed; keep one example per row"
    )

    def in_place(x, h, Wxh, Whh, bh):
        h[:] = rnn_step(x, h, Wxh, Whh, bh)
        return h

    assert _failure(ch01.check_rnn_step, in_place) == (
        "rnn_step changed one of its arguments in place; compute a new array instead"
    )
    # rtol 1e-6: an answer 3e-6 off (relative) is wrong, not accepted by a looser first comparison
    off = _failure(ch01.check_rnn_step, lambda *a: rnn_step(*a) * (1 + 3e-6))
    assert off.startswith("h_t for batch=4, n_in=3, n_hidden=5 is wrong at index (0, 0): got ")
    # the hidden cases are the same on every run: a student re-running gets the same message
    assert _failure(ch01.check_rnn_step, lambda *a: rnn_step(*a) * 1.01) == _failure(
        ch01.check_rnn_step, lambda *a: rnn_step(*a) * 1.01
    )


@pytest.mark.parametrize(
    ("k", "sizes"),
    [(1, (3, 5, 7, 2)), (2, (1, 1, 1, 1)), (3, (65, 128, 256, 65)), (4, (7, 4, 9, 11))],
)
def test_ch01_count_checks_and_names_every_hidden_size(k, sizes):
    n_in, h1, h2, n_out = sizes
    message = _failure(ch01.check_count_stacked_params, _wrong_on_call(count_params, k, lambda n: n + 1))
    expected = count_params(*sizes)
    assert message == (
        f"for n_in={n_in}, n_hidden1={h1}, n_hidden2={h2}, n_out={n_out} you counted {expected + 1}, "
        f"expected {expected} (+1)."  # no hint: several terms (or none) have the size 1
    )


def test_ch01_count_messages_exactly(capsys):
    ch01.check_count_stacked_params(count_params)
    assert capsys.readouterr().out == (
        "Correct! count_stacked_params is right on 4 hidden sizes (and the sequence\n"
        "length is not an argument).\n"
    )
    assert _failure(ch01.check_count_stacked_params, lambda *s: None) == (
        "count_stacked_params returned None: did it forget to `return` the count?"
    )
    assert _failure(ch01.check_count_stacked_params, lambda *s: float(count_params(*s))) == (
        "count_stacked_params returned 152.0 of type float; a number of parameters is an int"
    )


def _sum_params(scale=0.001, whh=1.0, bh=0.0, why=None):
    return {
        "Wxh": np.array([[scale]]),
        "Whh": np.array([[whh]]),
        "bh": np.array([bh]),
        "Why": np.array([[1 / scale if why is None else why]]),
        "by": np.array([0.0]),
    }


def _check_running_sum_message(params, hint):
    """The message names the worst output (1-based step, 0-based sequence), both values and the hint;
    all are recomputed here from the checker's documented inputs."""
    message = _failure(ch01.check_running_sum, params)
    match = re.fullmatch(
        r"y_(\d+) of test sequence (\d+) is (-?[\d.]+) but the running sum is (-?[\d.]+) "
        r"\(error ([\d.e+-]+), allowed 0\.05\)\.(.*)",
        message,
    )
    assert match, message
    step, sequence = int(match[1]), int(match[2])
    xs = ch01.running_sum_inputs(np.random.default_rng(ch01._SEED))
    h, ys = np.zeros(1), []
    for t in range(xs.shape[1]):
        h = np.tanh(xs[sequence, t] @ params["Wxh"] + h @ params["Whh"] + params["bh"])
        ys.append(float((h @ params["Why"] + params["by"])[0]))
    running = float(xs[sequence, :step, 0].sum())
    assert float(match[4]) == pytest.approx(running, abs=1e-4)
    assert float(match[3]) == pytest.approx(ys[step - 1], abs=1e-4)
    assert match[6] == hint
    return message


def test_ch01_running_sum_messages_exactly(capsys):
    ch01.check_running_sum(_sum_params())
    assert re.fullmatch(
        r"Correct! on 200 hidden sequences of 12 steps every output is within [\d.e-]+ of"
        r"\nthe running sum\.\n",
        capsys.readouterr().out,
    )
    _check_running_sum_message(
        _sum_params(scale=0.3),
        " The output is too small: tanh squashes a hidden value that is not close to 0. "
        "Keep h_t small (a small Wxh) and scale it back up in Why.",
    )
    _check_running_sum_message(
        _sum_params(whh=0.9),
        " The output is too small: with Whh < 1 the state leaks away a little at every step, "
        "so early inputs are forgotten.",
    )
    _check_running_sum_message(_sum_params(bh=0.01), " A sum of nothing is 0, so both biases should be 0.")
    _check_running_sum_message(_sum_params(why=-1000.0), " The output has the wrong sign.")
    _check_running_sum_message(_sum_params(why=1100.0), "")  # too large: no hint
    assert _failure(ch01.check_running_sum, _sum_params(why=np.inf)) == "the outputs contain NaN or infinity"
    assert _failure(ch01.check_running_sum, [1, 2]) == "params must be a dict of arrays, got list"


def test_ch01_running_sum_hint_thresholds():
    params = _sum_params(whh=0.999)
    assert ch01._running_sum_hint(params, -0.5, 0.5) == " The output has the wrong sign."  # |sum| 0.5 > 0.1
    assert ch01._running_sum_hint(params, 0.05, -0.05) == ""  # neither too small nor a clear sign error
    assert ch01._running_sum_hint(params, 0.02, -0.05) == " The output is too small: " + (
        "tanh squashes a hidden value that is not close to 0. "
        "Keep h_t small (a small Wxh) and scale it back up in Why."
    )  # Whh = 0.999 is not "< 0.999": no leak


def test_ch01_running_sum_inputs_cover_minus_one_to_one():
    xs = ch01.running_sum_inputs(np.random.default_rng(0))
    assert xs.shape == (200, 12, 1) and xs.min() < -0.95 and xs.max() > 0.95


_NUMBER = r"-?[\d.]+(?:e[+-]?\d+)?"


def _like(message: str, template: str) -> bool:
    """``message`` equals ``template`` with every ``{num}`` standing for a printed number."""
    return (
        re.fullmatch(_NUMBER.join(re.escape(part) for part in template.split("{num}")), message) is not None
    )


def test_ch02_messages_exactly(capsys):
    ch02.check_batch_bptt(batch_bptt)
    assert capsys.readouterr().out == (
        "Correct! all five gradients match the reference BPTT on 4 hidden random batches.\n"
    )
    assert _failure(ch02.check_batch_bptt, lambda *a: None) == (
        "the function returned None: did it forget to `return` the gradients?"
    )

    def hs_in_place(params, xs, hs, dys):
        grads = batch_bptt(params, xs, hs, dys)
        hs *= 2
        return grads

    assert _failure(ch02.check_batch_bptt, hs_in_place) == (
        "the function changed its input 'hs' in place; compute new arrays instead "
        "(the caller still needs the parameters and the forward pass)"
    )

    # the hidden batches are the same on every run (the relative error printed is reproducible)
    def wrong(*args):  # an additive error: its relative error depends on the hidden batch
        return {k: g + 0.01 for k, g in batch_bptt(*args).items()}

    assert _failure(ch02.check_batch_bptt, wrong) == _failure(ch02.check_batch_bptt, wrong)


def _clip_wrong(grads, max_norm):
    return clip(grads, 2 * max_norm)


@pytest.mark.parametrize(
    ("k", "template"),
    [
        (
            1,
            "for a gradient far above max_norm (global norm {num}, max_norm 1) the clipped gradients "
            "have global norm 2; expected 1",
        ),
        (
            2,
            "for a gradient dominated by one matrix (global norm {num}, max_norm 5) the clipped gradients "
            "have global norm 10; expected 5",
        ),
    ],
)
def test_ch03_clip_checks_and_names_every_case(k, template):
    message = _failure(
        ch03.check_clip_by_norm, _wrong_on_call(clip, k, lambda g: {n: 2 * v for n, v in g.items()})
    )
    assert _like(message, template), message


def test_ch03_clip_small_and_zero_cases():
    doubled = lambda g: {n: 2 * v for n, v in g.items()}  # noqa: E731
    assert _like(
        _failure(ch03.check_clip_by_norm, _wrong_on_call(clip, 3, doubled)),
        "for a gradient already below max_norm (global norm {num} <= max_norm 1) the gradients must "
        "come back unchanged; yours have global norm {num}",
    )
    plus_one = lambda g: {n: v + 1.0 for n, v in g.items()}  # noqa: E731
    assert _failure(ch03.check_clip_by_norm, _wrong_on_call(clip, 4, plus_one)) == (
        "an all-zero gradient must come back as zeros (check for NaN: dividing by a zero norm "
        "gives 0/0; only rescale when the norm is above max_norm)"
    )


def test_ch03_clip_per_array_is_named_on_the_lopsided_case_too():
    def per_array_except_first(grads, max_norm):  # right on the first case, clipped per array after
        if max_norm == 1.0 and sum(float((g**2).sum()) for g in grads.values()) > 100:
            return clip(grads, max_norm)
        return {k: g * min(1.0, max_norm / np.linalg.norm(g)) for k, g in grads.items()}

    assert _like(
        _failure(ch03.check_clip_by_norm, per_array_except_first),
        "each array was clipped on its own, so together they have global norm {num} > max_norm 5. Use one "
        "norm over all arrays: sqrt of the sum of every entry squared, and one scale factor for all of them.",
    )


def test_ch03_clip_messages_exactly(capsys):
    ch03.check_clip_by_norm(clip)
    assert capsys.readouterr().out == (
        "Correct! the gradients are rescaled together to global norm max_norm, only when\nthey are larger.\n"
    )
    assert _failure(ch03.check_clip_by_norm, lambda g, m: None) == (
        "the function returned None: did it forget to `return` the clipped gradients?"
    )
    assert _failure(ch03.check_clip_by_norm, lambda g, m: {k: np.clip(v, -m, m) for k, v in g.items()}) == (
        "each entry was clamped to [-max_norm, max_norm]: that is clipping by value, which changes the "
        "gradient's direction. Rescale every array by the same factor instead."
    )

    def turned(grads, max_norm):
        out = clip(grads, max_norm)
        out["by"] = out["by"][::-1].copy()
        return out

    assert _like(
        _failure(ch03.check_clip_by_norm, turned),
        "for a gradient far above max_norm the clipped gradient points in a different direction (cosine "
        "{num} with the original); clipping by norm must only rescale it",
    )
    assert _failure(ch03.check_clip_by_norm, lambda g, m: {k: v[None] for k, v in clip(g, m).items()}) == (
        "clipped['Wxh'] has shape (1, 2, 5), expected (2, 5)"
    )
    assert _failure(ch03.check_clip_by_norm, lambda g, m: list(g.values())) == (
        "the function must return a dict of gradients keyed like its input, got list"
    )
    assert _failure(
        ch03.check_clip_by_norm, lambda g, m: {k: v for k, v in clip(g, m).items() if k != "bh"}
    ) == (
        "the returned dict has keys ['Whh', 'Why', 'Wxh', 'by'], expected ['Whh', 'Why', 'Wxh', 'bh', 'by']"
    )

    def in_place(grads, max_norm):
        clipped = clip(grads, max_norm)
        for k in grads:
            grads[k][...] = clipped[k]
        return grads

    assert _failure(ch03.check_clip_by_norm, in_place) == (
        "the function changed the gradients it was given in place; return new arrays "
        "(the caller may still need the raw gradient, e.g. to log its norm)"
    )

    def turned_and_doubled(grads, max_norm):  # the direction is named before the norm
        return {k: 2 * v for k, v in turned(grads, max_norm).items()}

    assert _failure(ch03.check_clip_by_norm, turned_and_doubled).startswith(
        "for a gradient far above max_norm the clipped gradient points in a different direction (cosine 0.99"
    )
    # zeros must come back as zeros: 1e-10 is not zero (atol 1e-12)
    assert _failure(
        ch03.check_clip_by_norm, _wrong_on_call(clip, 4, lambda g: {k: v + 1e-10 for k, v in g.items()})
    )
    # the hidden gradients are the same on every run
    assert _failure(ch03.check_clip_by_norm, _clip_wrong) == _failure(ch03.check_clip_by_norm, _clip_wrong)
    # a rescaled answer 3e-7 off (relative) is wrong: rtol is 1e-7 (the atol only serves zeros)
    assert _failure(ch03.check_clip_by_norm, lambda g, m: {k: v * (1 + 3e-7) for k, v in clip(g, m).items()})
    # a NaN in one array is diagnosed, not compared
    assert _failure(
        ch03.check_clip_by_norm, lambda g, m: {**clip(g, m), "by": np.full(3, np.nan)}
    ).startswith("for a gradient far above max_norm")


_JACOBIAN_CASES = ["H=4, T=3, t=0", "H=5, T=6, t=2", "H=3, T=4, t=4", "H=6, T=8, t=5"]


@pytest.mark.parametrize("k", [1, 2, 4])
def test_ch03_jacobian_checks_and_names_every_case(k):
    message = _failure(ch03.check_state_jacobian, _wrong_on_call(jacobian, k, lambda j: 1.5 * j))
    assert message.startswith(f"dh_T/dh_t ({_JACOBIAN_CASES[k - 1]}) is wrong at index (0, 0): got ")
    size = int(_JACOBIAN_CASES[k - 1][2])
    message = _failure(ch03.check_state_jacobian, _wrong_on_call(jacobian, k, lambda j: j[:-1]))
    assert (
        message
        == f"dh_T/dh_t ({_JACOBIAN_CASES[k - 1]}) has shape ({size - 1}, {size}), expected ({size}, {size})"
    )


def test_ch03_jacobian_at_t_equal_T_is_the_identity():
    message = _failure(ch03.check_state_jacobian, _wrong_on_call(jacobian, 3, lambda j: 2 * j))
    assert message == "for t = T (H=3, T=4, t=4) dh_T/dh_t is the identity matrix: no step lies between them"


def _jacobian_product(factors, size):
    out = np.eye(size)
    for factor in factors:
        out = factor @ out
    return out


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (
            lambda Whh, hs, t: jacobian(Whh, hs, t).T,
            "it is the transpose of dh_T/dh_t: rows must index h_T and columns h_t "
            "(J[i, j] = dh_T[i] / dh_t[j])",
        ),
        (
            lambda Whh, hs, t: _jacobian_product(
                ((1 - hs[k] ** 2)[:, None] * Whh for k in range(t + 1, hs.shape[0])), Whh.shape[0]
            ),
            "it uses Whh where the step's Jacobian needs Whh.T (with rows as examples, h_k = tanh(... + "
            "h_{k-1} @ Whh), so dh_k/dh_{k-1} = diag(1 - h_k**2) @ Whh.T)",
        ),
        (
            lambda Whh, hs, t: np.linalg.matrix_power(Whh.T, hs.shape[0] - 1 - t),
            "it leaves out the tanh derivative diag(1 - h_k**2) of each step",
        ),
        (
            lambda Whh, hs, t: _jacobian_product(
                ((1 - hs[k - 1] ** 2)[:, None] * Whh.T for k in range(t + 1, hs.shape[0])), Whh.shape[0]
            ),
            "its tanh derivatives are one step off: step k's Jacobian uses 1 - h_k**2 with h_k the state it "
            "produces (hs[k]), for k = t+1 .. T, not hs[k-1]",
        ),
        (
            lambda Whh, hs, t: _jacobian_product(
                ((1 - hs[k] ** 2)[:, None] * Whh.T for k in range(hs.shape[0] - 1, t, -1)), Whh.shape[0]
            ),
            "the factors are multiplied in the wrong order: the chain rule gives "
            "J_T @ J_{T-1} @ ... @ J_{t+1} (the latest step on the left)",
        ),
    ],
)
def test_ch03_jacobian_hints_exactly(wrong, hint):
    assert _failure(ch03.check_state_jacobian, wrong) == f"dh_T/dh_t (H=4, T=3, t=0) is wrong: {hint}"
    for k in (2, 4):  # the mistakes are recognised on every hidden case, not only the first
        calls = []

        def late(*args, k=k, calls=calls):
            calls.append(1)
            return wrong(*args) if len(calls) == k else jacobian(*args)

        where = _JACOBIAN_CASES[k - 1]
        assert _failure(ch03.check_state_jacobian, late) == f"dh_T/dh_t ({where}) is wrong: {hint}"
    # a mistake is recognised within the checker's tolerance only (rtol 1e-7, atol 1e-10)
    for near in (lambda *a: wrong(*a) * (1 + 1e-6), lambda *a: wrong(*a) + 5e-9):
        assert _failure(ch03.check_state_jacobian, near).startswith(
            "dh_T/dh_t (H=4, T=3, t=0) is wrong at index"
        )


def test_ch03_jacobian_messages_exactly(capsys):
    ch03.check_state_jacobian(jacobian)
    assert capsys.readouterr().out == (
        "Correct! dh_T/dh_t matches the product of the steps' Jacobians on 4 hidden\nsequences.\n"
    )
    assert _failure(ch03.check_state_jacobian, lambda Whh, hs, t: None) == (
        "dh_T/dh_t (H=4, T=3, t=0) is None: did the function forget to `return` it?"
    )

    def in_place(Whh, hs, t):
        Whh *= 1.0001
        return jacobian(Whh, hs, t)

    assert _failure(ch03.check_state_jacobian, in_place) == (
        "the function changed Whh in place; compute new arrays instead"
    )
    # rtol 1e-7: an answer 3e-7 off (relative) is wrong
    assert _failure(ch03.check_state_jacobian, lambda *a: jacobian(*a) * (1 + 3e-7)).startswith(
        "dh_T/dh_t (H=4, T=3, t=0) is wrong at index"
    )
    # the hidden sequences are the same on every run
    wrong = lambda *a: 1.5 * jacobian(*a)  # noqa: E731
    assert _failure(ch03.check_state_jacobian, wrong) == _failure(ch03.check_state_jacobian, wrong)


def _naive_softmax(logits, temperature):
    if temperature <= 0:
        raise ValueError("temperature must be > 0")
    e = np.exp(np.asarray(logits) / temperature)
    return e / e.sum(axis=-1, keepdims=True)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (
            lambda z, T: temperature_softmax(z, T)[..., :-1],
            "temperature_softmax(logits of shape (4, 65), 1.0) has shape (4, 64), expected (4, 65)",
        ),
        (
            lambda z, T: _softmax_rows(np.asarray(z) * T),
            "at temperature 0.5 you multiplied the logits by the temperature; divide them by it "
            "(a low temperature must sharpen the distribution)",
        ),
        (
            lambda z, T: _softmax_rows(np.asarray(z)),
            "at temperature 0.5 the result equals the plain softmax: the temperature is ignored",
        ),
        (
            lambda z, T: 1.23456 * temperature_softmax(z, T),
            "each row must sum to 1, but the rows sum to [1.2346, 1.2346, 1.2346, 1.2346]",
        ),
        (
            lambda z, T: np.exp(np.asarray(z) / T) / np.exp(np.asarray(z) / T).sum(),
            "the probabilities sum to 1 over the whole array, not per row: normalise over the last axis "
            "(the characters), axis=-1",
        ),
        (
            _naive_softmax,
            "logits [1000, 999, 0] give NaN or infinity: exp(1000) overflows; subtract the largest logit of "
            "each row before exponentiating (it cancels out)",
        ),
    ],
)
def test_ch04_temperature_softmax_messages_exactly(answer, message):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the checker silences the overflow of a naive softmax
        assert _failure(ch04.check_temperature_softmax, answer) == message


def test_ch04_temperature_softmax_checks_every_temperature_and_both_bad_ones(capsys):
    ch04.check_temperature_softmax(temperature_softmax)
    assert capsys.readouterr().out == (
        "Correct! rows sum to 1, low temperatures sharpen, high ones flatten, large\nlogits are safe.\n"
    )
    off = lambda p: _nudge_probabilities(p, 1e-3)  # noqa: E731  (rows still sum to 1)
    for k, name in [(1, "logits, 1.0"), (2, "logits, 0.5"), (3, "logits, 2.0"), (4, "[1000, 999, 0], 1.0")]:
        message = _failure(ch04.check_temperature_softmax, _wrong_on_call(temperature_softmax, k, off))
        assert message.startswith(f"temperature_softmax({name}) is wrong at index"), message
    # the multiplied temperature is named at 2.0 as well (the check does not stop at 0.5)
    assert _failure(
        ch04.check_temperature_softmax,
        lambda z, T: _softmax_rows(np.asarray(z) * T) if T == 2.0 else temperature_softmax(z, T),
    ).startswith("at temperature 2.0 you multiplied")

    def rejects_only_zero(logits, temperature):
        if temperature == 0:
            raise ValueError("temperature must not be 0")
        return _softmax_rows(np.asarray(logits) / temperature)

    assert _failure(ch04.check_temperature_softmax, rejects_only_zero) == (
        "temperature -1.0 must raise ValueError (the temperature must be > 0), but the function returned"
    )

    def validates_last(logits, temperature):  # computes first, then rejects the temperature
        result = _softmax_rows(np.asarray(logits, dtype=float) / (temperature or 1.0))
        if temperature <= 0:
            raise ValueError("temperature must be > 0")
        return result

    ch04.check_temperature_softmax(validates_last)  # the bad temperatures come with real logits
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (lambda z, t: cross_entropy_and_grad(z, t)[0], "return a pair (loss, dlogits); got {num} (float)"),
        (
            lambda z, t: (cross_entropy_and_grad(z, t)[0] / np.log(2), cross_entropy_and_grad(z, t)[1]),
            "the loss is in bits (log base 2); use the natural log: the book trains in nats",
        ),
        (
            lambda z, t: (cross_entropy_and_grad(z, t)[0] + 0.1, cross_entropy_and_grad(z, t)[1]),
            "the loss is {num}, expected {num} (mean of -ln p[target] over all predictions)",
        ),
        (
            lambda z, t: (cross_entropy_and_grad(z, t)[0], cross_entropy_and_grad(z, t)[1][0]),
            "dlogits has shape (5, 7), expected (3, 5, 7)",
        ),
        (
            lambda z, t: (cross_entropy_and_grad(z, t)[0], -cross_entropy_and_grad(z, t)[1]),
            "dlogits has the wrong sign: it is p - onehot(target), not onehot(target) - p",
        ),
        (
            lambda z, t: (cross_entropy_and_grad(z, t)[0], 15 * cross_entropy_and_grad(z, t)[1]),
            "dlogits is the gradient of the summed loss; divide by the 15 predictions "
            "because the loss is their mean",
        ),
        (
            lambda z, t: (cross_entropy_and_grad(z, t)[0], _softmax_rows(z)),
            "dlogits equals the probabilities: subtract 1 at each target character",
        ),
        (
            lambda z, t: (cross_entropy_and_grad(z, t)[0], 1.01 * cross_entropy_and_grad(z, t)[1]),
            "dlogits is wrong at index (0, 0, 0): got {num}, expected {num} (105 of 105 entries differ; "
            "largest difference {num})",
        ),
    ],
)
def test_ch04_cross_entropy_messages_exactly(answer, message):
    assert _like(_failure(ch04.check_cross_entropy_and_grad, answer), message)


def test_ch04_cross_entropy_passes_with_its_verdict(capsys):
    ch04.check_cross_entropy_and_grad(cross_entropy_and_grad)
    assert capsys.readouterr().out == (
        "Correct! the loss is the mean in nats and dlogits = (p - onehot(target)) / N.\n"
    )


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (lambda i, n: None, "next_char_windows returned None: did the function forget to `return`?"),
        (
            lambda i, n: list(next_char_windows(i, n)),
            "next_char_windows must return a pair (inputs, targets), got list",
        ),
        (
            lambda i, n: (next_char_windows(i, n)[0], None),
            "targets returned None: did the function forget to `return`?",
        ),
        (
            lambda i, n: (None, next_char_windows(i, n)[1]),
            "inputs returned None: did the function forget to `return`?",
        ),
        (
            lambda i, n: (next_char_windows(i, n)[0], next_char_windows(i, n)[1][:-1]),
            "targets has shape (7, 4), expected (8, 4)",
        ),
        (
            lambda i, n: tuple(part + 1 for part in next_char_windows(i, n)),
            "inputs is wrong at index (0, 0): got 101, expected 100 "
            "(32 of 32 entries differ; largest difference 1)",
        ),
        (
            lambda i, n: (next_char_windows(i, n)[0],) * 2,
            "targets equal the inputs: they must be the inputs shifted by one character",
        ),
    ],
)
def test_ch07_next_char_windows_messages_exactly(answer, message):
    assert _failure(ch07.check_next_char_windows, answer) == message


def test_ch07_next_char_windows_verdict(capsys):
    ch07.check_next_char_windows(next_char_windows)
    assert (
        capsys.readouterr().out
        == "Correct! 12 ids, length 4: 8 windows, targets shifted by one, both views.\n"
    )


_ONE_HOT_CASES = [(1_115_394, 100, 65, 4), (1000, 10, 30, 4), (500, 50, 20, 2), (12, 12, 5, 8)]


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_ch07_one_hot_bytes_checks_and_names_every_case(k):
    n_chars, length, vocab_size, itemsize = _ONE_HOT_CASES[k - 1]
    expected = one_hot_bytes(n_chars, length, vocab_size, itemsize)
    message = _failure(ch07.check_one_hot_bytes, _wrong_on_call(one_hot_bytes, k, lambda b: 2 * b))
    assert message == (
        f"one_hot_bytes({n_chars}, {length}, {vocab_size}, {itemsize}) = {2 * expected:,}, expected "
        f"{expected:,} (off by {expected:+,} bytes, 2 times the right value)"
    )


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (lambda n, m, v, s: None, "one_hot_bytes returned None: did the function forget to `return`?"),
        (
            lambda n, m, v, s: one_hot_bytes(n, m, v, s) // 2,
            "one_hot_bytes(1115394, 100, 65, 4) = 14,498,835,000, expected 28,997,670,000 "
            "(off by -14,498,835,000 bytes, 0.5 times the right value)",
        ),
        (
            lambda n, m, v, s: n * v * s,
            "one_hot_bytes(1115394, 100, 65, 4) = 290,002,440, expected 28,997,670,000 (off by "
            "-28,707,667,560 bytes, 0.01 times the right value): that is the one-hot corpus, "
            "not every window of it",
        ),
        (
            lambda n, m, v, s: one_hot_bytes(n, m, v, s) + 1,
            "one_hot_bytes(1115394, 100, 65, 4) = 28,997,670,001, expected 28,997,670,000 "
            "(off by +1 bytes, +0.0000%)",
        ),
        (
            lambda n, m, v, s: n * m * v * s,
            "one_hot_bytes(1115394, 100, 65, 4) = 29,000,244,000, expected 28,997,670,000 (off by +2,574,000 "
            "bytes, +0.0089%): you counted n_chars windows; a text of n_chars has "
            "n_chars - length + 1 windows of that length",
        ),
        (
            lambda n, m, v, s: (n - m) * m * v * s,
            "one_hot_bytes(1115394, 100, 65, 4) = 28,997,644,000, expected 28,997,670,000 (off by -26,000 "
            "bytes, -0.0001%): you counted n_chars - length windows; the window that ends on the last "
            "character counts too (n_chars - length + 1)",
        ),
        (
            lambda n, m, v, s: (n - m + 1) * m * v,
            "one_hot_bytes(1115394, 100, 65, 4) = 7,249,417,500, expected 28,997,670,000 (off by "
            "-21,748,252,500 bytes, 0.25 times the right value): you left out the bytes per number "
            "(itemsize)",
        ),
        (
            lambda n, m, v, s: (n - m + 1) * m * v * s * 8,
            "one_hot_bytes(1115394, 100, 65, 4) = 231,981,360,000, expected 28,997,670,000 (off by "
            "+202,983,690,000 bytes, 8 times the right value): that is bits, not bytes",
        ),
        (
            lambda n, m, v, s: (n - m + 1) * m * s,
            "one_hot_bytes(1115394, 100, 65, 4) = 446,118,000, expected 28,997,670,000 (off by "
            "-28,551,552,000 bytes, 0.0154 times the right value): you left out the one-hot axis "
            "(vocab_size numbers per character)",
        ),
    ],
)
def test_ch07_one_hot_bytes_messages_exactly(answer, message):
    assert _failure(ch07.check_one_hot_bytes, answer) == message


def test_ch07_one_hot_bytes_verdict(capsys):
    ch07.check_one_hot_bytes(one_hot_bytes)
    assert capsys.readouterr().out == (
        "Correct! 4 cases; tiny Shakespeare's stride-1 windows of 100 would take 29.0 GB.\n"
    )


def test_ch07_temperature_probabilities_messages_exactly(capsys):
    ch07.check_temperature_probabilities(temperature_softmax)
    assert capsys.readouterr().out == (
        "Correct! softmax(logits / T) at T = 0.5, 1 and 2, and no overflow for large\nlogits.\n"
    )
    assert _failure(ch07.check_temperature_probabilities, lambda z, T: None) == (
        "temperature_probabilities returned None: did the function forget to `return`?"
    )
    assert _failure(ch07.check_temperature_probabilities, lambda z, T: temperature_softmax(z, T)[:-1]) == (
        "probabilities at temperature 1.0 has shape (3,), expected (4,)"
    )
    with np.errstate(all="ignore"):
        assert _failure(ch07.check_temperature_probabilities, _naive_softmax) == (
            "logits [1000, 999, 990] give NaN or infinity: exp(1000) overflows; subtract the largest logit "
            "before taking exp (it does not change the softmax)"
        )
    off = lambda p: _nudge_probabilities(p, 1e-3)  # noqa: E731
    for k, name in [
        (1, "at temperature 1.0"),
        (2, "at temperature 0.5"),
        (3, "at temperature 2.0"),
        (4, "for logits [1000, 999, 990]"),
    ]:
        message = _failure(ch07.check_temperature_probabilities, _wrong_on_call(temperature_softmax, k, off))
        assert message.startswith(f"probabilities {name} is wrong at index"), message


def _beam_changed(change):
    """beam_step with ``change(parents, tokens)`` applied; the new scores follow the change."""

    def student(scores, log_probs, width):
        parents, tokens, new_scores = (a.copy() for a in beam_step(scores, log_probs, width))
        change(parents, tokens)
        inside = (parents >= 0) & (parents < len(scores)) & (tokens >= 0) & (tokens < log_probs.shape[1])
        if inside.all():
            new_scores = scores[parents] + log_probs[parents, tokens]
        return parents, tokens, new_scores

    return student


def _set(array, index, value):
    array[index] = value


_BEAM_CASE = "two prefixes, three characters, width 3"
_BEAM_RANGE = f"{_BEAM_CASE}: parents must be prefix indices 0..1 and tokens character ids 0..2; got "


@pytest.mark.parametrize(
    ("change", "got"),
    [
        (lambda p, t: _set(p, 0, 2), "parents [2, 0, 0], tokens [0, 1, 2]"),  # one past the last prefix
        (lambda p, t: _set(p, 0, -1), "parents [-1, 0, 0], tokens [0, 1, 2]"),  # not numpy's "from the end"
        (lambda p, t: _set(t, 0, 3), "parents [0, 0, 0], tokens [3, 1, 2]"),  # one past the last character
        (lambda p, t: _set(t, 0, -1), "parents [0, 0, 0], tokens [-1, 1, 2]"),
    ],
)
def test_ch11_beam_step_indices_out_of_range_are_named(change, got):
    assert _failure(ch11.check_beam_step, _beam_changed(change)) == _BEAM_RANGE + got


def test_ch11_beam_step_messages_exactly(capsys):
    ch11.check_beam_step(beam_step)
    assert (
        capsys.readouterr().out == "Correct! the best extensions of all prefixes by total log-probability.\n"
    )
    assert _failure(ch11.check_beam_step, lambda s, lp, w: None) == (
        f"{_BEAM_CASE}: beam_step returned None: did it forget to `return` the triple?"
    )
    assert _failure(ch11.check_beam_step, lambda s, lp, w: beam_step(s, lp, w)[:2]) == (
        f"{_BEAM_CASE}: beam_step must return a triple (parents, tokens, new_scores)"
    )
    for i, name in enumerate(("parents", "tokens", "new_scores")):

        def short(s, lp, w, i=i):
            return tuple(a[:-1] if j == i else a for j, a in enumerate(beam_step(s, lp, w)))

        assert _failure(ch11.check_beam_step, short) == f"{_BEAM_CASE}: {name} has shape (2,), expected (3,)"
    assert _failure(
        ch11.check_beam_step, lambda s, lp, w: (*beam_step(s, lp, w)[:2], beam_step(s, lp, w)[2] + 0.5)
    ) == (
        f"{_BEAM_CASE}: each new score must be its prefix's score plus the log-probability of the added "
        "character; got [-1.2978, -2.0863, -2.3094]"
    )
    assert _failure(ch11.check_beam_step, lambda s, lp, w: tuple(a[::-1] for a in beam_step(s, lp, w))) == (
        f"{_BEAM_CASE}: return the candidates best first (new_scores in decreasing order)"
    )
    # ties are allowed in any order: equal new scores are not "increasing"
    message = _failure(
        ch11.check_beam_step, _wrong_on_call(beam_step, 2, lambda r: tuple(a[::-1] for a in r))
    )
    assert message == (
        "four prefixes, seven characters, width 4: return the candidates best first "
        "(new_scores in decreasing order)"
    )


def test_ch11_masked_softmax_messages_exactly(capsys):
    ch11.check_masked_softmax(masked_softmax)
    assert (
        capsys.readouterr().out
        == "Correct! padding gets no weight, the rest sums to 1, large scores are safe.\n"
    )
    case = "random scores with padding"
    assert _failure(ch11.check_masked_softmax, lambda s, v: masked_softmax(s, v)[:, :-1]) == (
        f"{case}: the weights has shape (3, 5), expected (3, 6)"
    )
    assert _failure(ch11.check_masked_softmax, lambda s, v: _softmax_rows(s) * v) == (
        f"{case}: the weights of row 2 sum to 0.2403, not 1: zeroing the padding after the softmax leaves "
        "the valid weights unnormalised; mask the scores before it"
    )
    # exactly 0 on padding: 2e-9 is too much (the limit is 1e-9), 5e-10 passes
    assert _failure(ch11.check_masked_softmax, lambda s, v: masked_softmax(s, v) + 2e-9 * ~v) == (
        f"{case}: padding positions get weight up to 2e-09; they must get exactly 0: set their scores to "
        "-inf before the softmax (a score of 0 still gets weight)"
    )
    # the row sums are compared with np.allclose(sums, 1, atol=1e-6) (so within 1e-5 + 1e-6), then each
    # weight within rtol 1e-6: rows 3e-5 too large are named as unnormalised, 1.05e-5 as wrong weights
    assert "sum to 1" in _failure(ch11.check_masked_softmax, lambda s, v: masked_softmax(s, v) * (1 + 3e-5))
    assert _failure(ch11.check_masked_softmax, lambda s, v: masked_softmax(s, v) * (1 + 1.05e-5)).startswith(
        f"{case}: the weights is wrong at index"
    )
    assert _failure(
        ch11.check_masked_softmax, lambda s, v: _nudge_probabilities(masked_softmax(s, v), 3e-6) * v
    ).startswith(f"{case}: the weights is wrong at index")
    off = lambda w: _nudge_probabilities(w, 1e-3) * (w > 0)  # noqa: E731
    assert _failure(ch11.check_masked_softmax, _wrong_on_call(masked_softmax, 2, off)).startswith(
        "large scores (1000, 990, ...), padding last: the weights is wrong at index"
    )


def test_ch11_names_the_worst_row_the_best_scores_and_tiny_weights():
    def uneven(scores, valid):  # row 0 sums to 1.5, row 1 to 0.9: row 0 is further from 1
        return masked_softmax(scores, valid) * np.array([[1.5], [0.9], [1.0]])

    assert _failure(ch11.check_masked_softmax, uneven).startswith(
        "random scores with padding: the weights of row 0 sum to 1.5, not 1"
    )

    def tiny_weight(scores, valid):  # the "large" case's score 5 has weight exp(-995) = 0, not 5e-9
        weights = masked_softmax(scores, valid)
        if scores.shape == (1, 4):
            weights[0, 2] += 5e-9
        return weights

    assert _failure(ch11.check_masked_softmax, tiny_weight).startswith(
        "large scores (1000, 990, ...), padding last: the weights is wrong at index (0, 2)"
    )
    # consistent scores, best first, but not the 3 best (prefix 1's 2nd character for prefix 0's 3rd)
    assert _failure(ch11.check_beam_step, _beam_changed(lambda p, t: (_set(p, 2, 1), _set(t, 2, 1)))) == (
        f"{_BEAM_CASE}: these are not the 3 best of all 6 extensions (prefix x character): the new scores "
        "should be [-1.7978, -2.5863, -2.8094], got [-1.7978, -2.5863, -6.5066]; take the top 3 over all "
        "of them, not within each prefix"
    )


def lstm_step_by_gate(x, h, c, kernel, recurrent_kernel, bias):
    """The LSTM step written gate by gate, slicing the kernels and the bias (i, f, c, o)."""
    units = h.shape[1]
    gate = [x @ kernel[:, k * units : (k + 1) * units] + h @ recurrent_kernel[:, k * units : (k + 1) * units]
            + bias[k * units : (k + 1) * units] for k in range(4)]  # fmt: skip
    c_new = _sigmoid(gate[1]) * c + _sigmoid(gate[0]) * np.tanh(gate[2])
    return _sigmoid(gate[3]) * np.tanh(c_new), c_new


def test_ch06_lstm_messages_name_the_worst_entry_and_what_is_right(capsys):
    ch06.check_lstm_step(lstm_step_by_gate)  # a bias of shape (4 * units,) can be sliced per gate
    assert (
        capsys.readouterr().out
        == "Correct! h and c match Keras' LSTM step for a batch of 3, 2 inputs, 4 units.\n"
    )

    def h_off_at_1_2(*args):
        h, c = lstm_step(*args)
        h = h.copy()
        h[1, 2] += 0.1
        return h, c

    assert _like(
        _failure(ch06.check_lstm_step, h_off_at_1_2),
        "h is wrong: largest difference 0.1 at index (1, 2) (got {num}, expected {num}); c is right",
    )

    # the tolerance is rtol 1e-5 with atol 1e-6: an absolute error of 5e-7 passes, also on entries
    # near 0 (the hidden case has |h| down to 0.0016)
    ch06.check_lstm_step(lambda *a: tuple(v + 5e-7 for v in lstm_step(*a)))
    capsys.readouterr()

    def c_off(*args):
        h, c = lstm_step(*args)
        return h, c + 0.1

    assert _failure(ch06.check_lstm_step, c_off).endswith("; h is right")

    def both_off(*args):
        return tuple(a + 0.1 for a in lstm_step(*args))

    message = _failure(ch06.check_lstm_step, both_off)
    assert _like(
        message,
        "c is wrong: largest difference 0.1 at index ({num}, {num}) (got {num}, expected {num}); "
        "h is wrong: largest difference 0.1 at index ({num}, {num}) (got {num}, expected {num})",
    ), message
    # the hidden case is the same on every run
    assert _failure(ch06.check_lstm_step, _nudged(lstm_step, _nudge, 1e-2)) == _failure(
        ch06.check_lstm_step, _nudged(lstm_step, _nudge, 1e-2)
    )
    assert _failure(ch06.check_gru_step_reset_before, _nudged(gru_step, _nudge, 1e-2)) == _failure(
        ch06.check_gru_step_reset_before, _nudged(gru_step, _nudge, 1e-2)
    )


def test_ch09_attention_pool_messages_and_tolerances(capsys):
    ch09.check_attention_pool(attention_pool)
    assert capsys.readouterr().out == (
        "Correct! softmax over time, stable for large scores, and the weighted sum of the\nvalues.\n"
    )
    assert _failure(ch09.check_attention_pool, lambda s, v: list(attention_pool(s, v))) == (
        "random scores: attention_pool must return a pair (pooled, weights), got list"
    )

    def over_sequences(scores, values):  # softmax over the batch axis, not over time
        weights = _softmax_rows(scores, axis=0)
        return (weights[..., None] * values).sum(axis=1), weights

    assert _like(
        _failure(ch09.check_attention_pool, over_sequences),
        "random scores: the weights of a sequence must sum to 1 over time (axis 1), but the first sums "
        "to {num}: is the softmax taken over the right axis?",
    )
    first_sum = _softmax_rows(np.random.default_rng(9).normal(size=(3, 5)), axis=0)[0].sum()
    assert f"the first sums to {first_sum:.4g}:" in _failure(ch09.check_attention_pool, over_sequences)
    # row sums within 1e-5 + 1e-6 go on to the weights' own check (rtol 1e-5); 3e-5 is named as a sum
    assert "must sum to 1" in _failure(
        ch09.check_attention_pool,
        lambda s, v: (attention_pool(s, v)[0], attention_pool(s, v)[1] * (1 + 3e-5)),
    )
    assert _failure(
        ch09.check_attention_pool,
        lambda s, v: (attention_pool(s, v)[0], attention_pool(s, v)[1] * (1 + 1.05e-5)),
    ).startswith("random scores: weights is wrong at index")
    # wrong weights with the right pooled output still fail (the weights are compared, rtol 1e-5)
    assert _failure(
        ch09.check_attention_pool,
        lambda s, v: (attention_pool(s, v)[0], _nudge_probabilities(attention_pool(s, v)[1], 1e-3)),
    ).startswith("random scores: weights is wrong at index")


@pytest.mark.parametrize("k", [1, 2, 3])
def test_ch09_causal_ceiling_checks_and_names_every_case(k):
    seq_len, n_symbols = [(24, 8), (5, 2), (1, 3)][k - 1]
    message = _failure(ch09.check_causal_ceiling, _wrong_on_call(ceiling, k, lambda c: c * (1 - 1e-3)))
    assert message.startswith(f"the ceiling for seq_len={seq_len}, n_symbols={n_symbols} is wrong"), message
    message = _failure(ch09.check_causal_ceiling, _wrong_on_call(ceiling, k, lambda c: np.append(c, 1.0)))
    assert message == f"the ceiling for seq_len={seq_len} has shape ({seq_len + 1},), expected ({seq_len},)"


def test_ch09_causal_ceiling_verdict(capsys):
    ch09.check_causal_ceiling(ceiling)
    assert capsys.readouterr().out == (
        "Correct! a tagger that sees only the past can do no better than max(q_t, 1 -\nq_t).\n"
    )


def _seasonal_off_by_one(x, period):
    return x[:, x.shape[1] - period - 1] if period < x.shape[1] else seasonal_naive(x, period)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (
            _seasonal_off_by_one,
            "seasonal_naive(x, 1) with windows of 10 values: got [8.0, 118.0], expected [9.0, 119.0] (it "
            "returned x[:, 8] for the first window; the target comes right after the window, so 1 step(s) "
            "before it is x[:, -1])",
        ),
        (
            lambda x, p: x[:, x.shape[1] - min(p, x.shape[1])],
            "seasonal_naive(x, 11) with windows of 10 values must raise ValueError: the window does not "
            "reach one period back",
        ),
        (lambda x, p: seasonal_naive(x, p)[None], "seasonal_naive(x, 1) has shape (1, 2), expected (2,)"),
    ],
)
def test_ch10_seasonal_naive_messages_exactly(answer, message):
    assert _failure(ch10.check_seasonal_naive, answer) == message


def test_ch10_seasonal_naive_checks_every_period_and_rejects_only_a_longer_one(capsys):
    for k, period in [(2, 4), (3, 10)]:
        message = _failure(ch10.check_seasonal_naive, _wrong_on_call(seasonal_naive, k, lambda f: f - 1))
        assert message.startswith(f"seasonal_naive(x, {period}) with windows of 10 values: got "), message

    def rejects_at_eleven_only(x, period):  # a period of 12 may be rejected too; 11 is the one checked
        if period == 11:
            raise ValueError("period longer than the window")
        return x[:, x.shape[1] - period]

    ch10.check_seasonal_naive(rejects_at_eleven_only)
    assert capsys.readouterr().out == (
        "Correct! the seasonal naive forecast picks the value one period before each\ntarget.\n"
    )


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (lambda s, n: list(pad_with_mask(s, n)), "pad_with_mask must return a pair (ids, mask), got list"),
        (
            lambda s, n: (pad_with_mask(s, n)[0] + 1, pad_with_mask(s, n)[1]),
            "ids is wrong at index (0, 0): got 5, expected 4 (15 of 15 entries differ; largest difference 1)",
        ),
        (
            lambda s, n: (pad_with_mask(s, n)[0], pad_with_mask(s, n)[1][:, :-1]),
            "mask has shape (3, 4), expected (3, 5)",
        ),
        (
            lambda s, n: (pad_with_mask(s, n)[0], ~pad_with_mask(s, n)[1]),
            "mask is inverted: it must be True at the real tokens and False at padding",
        ),
        (
            lambda s, n: (pad_with_mask(s, n)[0], np.ones((3, 5), bool)),
            "mask is wrong: got [[1, 1, 1, 1, 1], [1, 1, 1, 1, 1], [1, 1, 1, 1, 1]], expected "
            "[[1, 1, 1, 0, 0], [1, 0, 0, 0, 0], [1, 1, 1, 1, 0]]",
        ),
        (
            lambda s, n: tuple(a[:, ::-1] for a in pad_with_mask([q[::-1] for q in s], n)),
            "ids are padded at the front ('pre'); pad after the tokens ('post'), as the chapter does",
        ),
    ],
)
def test_ch10_pad_with_mask_messages_exactly(answer, message):
    assert _failure(ch10.check_pad_with_mask, answer) == message


def _mean_rows_only(table, old_vocab, new_chars, similar):
    return np.vstack([table, np.repeat(table.mean(axis=0, keepdims=True), len(new_chars), axis=0)])


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (
            lambda t, v, c, s: init_new_rows(t, v, c, s)[:-1],
            "the extended table has shape (6, 2), expected (7, 2)",
        ),
        (
            lambda t, v, c, s: init_new_rows(t * 2, v, c, s),
            "the old rows changed: rows 0..3 must be the old table as it was",
        ),
        (_mean_rows_only, "row 4 ('’') is [14.0, 21.0], expected [16.0, 25.0]: the row of \"'\""),
        (
            lambda t, v, c, s: np.vstack([init_new_rows(t, v, c, s)[:6], np.zeros((1, 2))]),
            "row 6 ('_') is [0.0, 0.0], expected [14.0, 21.0]: "
            "the mean of the old rows (no similar character)",
        ),
    ],
)
def test_ch10_init_from_similar_messages_exactly(answer, message):
    assert _failure(ch10.check_init_from_similar, answer) == message


def test_ch10_verdicts(capsys):
    ch10.check_pad_with_mask(pad_with_mask)
    ch10.check_init_from_similar(init_new_rows)
    assert capsys.readouterr().out == (
        "Correct! ids are post-padded with 0 and the mask marks the real tokens (what\n"
        "mask_zero=True computes).\n"
        "Correct! old rows kept; new characters start from a similar character or the\nmean row.\n"
    )


def test_ch09_the_large_scores_case_is_checked_and_named():
    message = _failure(
        ch09.check_attention_pool, _wrong_on_call(attention_pool, 2, lambda r: _nudge_pool(r, 1e-3))
    )
    assert message.startswith("large scores (1000, 990, ...): pooled is wrong at index"), message


def test_ch11_the_second_beam_case_has_width_4_and_is_reproducible():
    message = _failure(ch11.check_beam_step, _wrong_on_call(beam_step, 2, lambda r: tuple(a[:-1] for a in r)))
    assert message == "four prefixes, seven characters, width 4: parents has shape (3,), expected (4,)"
    shifted = _wrong_on_call(beam_step, 2, lambda r: (r[0], r[1], r[2] + 0.5))
    first = _failure(ch11.check_beam_step, shifted)
    assert first.startswith("four prefixes, seven characters, width 4: each new score must be")
    shifted = _wrong_on_call(beam_step, 2, lambda r: (r[0], r[1], r[2] + 0.5))
    assert _failure(ch11.check_beam_step, shifted) == first  # the hidden scores are the same on every run


_CH08_CASES = [
    "(65,), temperature=1.0",
    "(4, 65), temperature=0.5",
    "(2, 10), temperature=1.5",
    "(3,), temperature=1.0",
]


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_ch08_temperature_probs_checks_and_names_every_case(k):
    off = lambda p: _nudge_probabilities(p, 1e-3)  # noqa: E731
    message = _failure(ch08.check_temperature_probs, _wrong_on_call(temperature_softmax, k, off))
    assert message.startswith(f"fn(logits of shape {_CH08_CASES[k - 1]}) is wrong at index"), message
    assert message == _failure(ch08.check_temperature_probs, _wrong_on_call(temperature_softmax, k, off))


def test_ch08_temperature_probs_messages_and_tolerances(capsys):
    ch08.check_temperature_probs(temperature_softmax)
    # an absolute error of 5e-8 on every probability is within atol 1e-7 (rows still sum to 1 within 1e-5)
    ch08.check_temperature_probs(lambda z, T: temperature_softmax(z, T) + 5e-8)
    assert capsys.readouterr().out == (
        "Correct! softmax(logits / T): T < 1 sharpens the distribution, T > 1 flattens\nit.\n" * 2
    )
    message = _failure(
        ch08.check_temperature_probs, _wrong_on_call(temperature_softmax, 2, lambda p: 1.1 * p)
    )
    assert message == (
        "fn(logits of shape (4, 65), temperature=0.5): each row must sum to 1, the sums are [1.1 1.1 1.1 1.1]"
    )
    # rows 1.05e-5 too large pass the row-sum check (atol 1e-6 + NumPy's rtol 1e-5) and fail the values
    assert _failure(
        ch08.check_temperature_probs, lambda z, T: temperature_softmax(z, T) * (1 + 1.05e-5)
    ).startswith("fn(logits of shape (65,), temperature=1.0) is wrong at index")


def test_ch08_loss_units_messages_and_tolerances(capsys):
    ch08.check_loss_units(loss_units)
    ch08.check_loss_units(lambda loss: (loss / math.log(2) * (1 + 1e-7), math.exp(loss) * (1 + 1e-7)))
    ch08.check_loss_units(lambda loss: (loss / math.log(2) + 1e-13, math.exp(loss)))  # 0 nats: 1e-13 bits
    assert capsys.readouterr().out == (
        "Correct! a loss of ln 65 nats is log2 65 = 6.02 bits and a perplexity of 65: the\nuniform guess.\n"
        * 3
    )
    assert _like(
        _failure(ch08.check_loss_units, lambda loss: (loss / math.log(2) + 0.5, math.exp(loss))),
        "fn(4.174) gives {num} bits per character, expected 6.02237 (nats / ln 2)",
    )
    assert _failure(ch08.check_loss_units, lambda loss: (loss / math.log(2), 2**loss)) == (
        "fn(4.174) gives perplexity 18.0558, expected 65 (e ** loss in nats, or 2 ** bits)"
    )
    for k, loss in [(2, "1.5"), (3, "0")]:
        message = _failure(ch08.check_loss_units, _wrong_on_call(loss_units, k, lambda r: (r[0] + 0.5, r[1])))
        assert message.startswith(f"fn({loss}) gives "), message
