"""Tests that state the right value, written against mutants that survived the other tests.

Each test pins a number or a message that a small plausible bug (found by mutation testing,
``tools/mutation.sh``) would change without any other test noticing: a relative error that
multiplies where it divides, an ``eps`` that is validated and then ignored, a ``dtype`` that
is ignored, an optimiser step that explodes for a tiny gradient.
"""

import math

import numpy as np
import pytest

from rnnbook import numpy_rnn as rnn
from rnnbook.gradcheck import check_gradients, numerical_gradient, relative_error
from rnnbook.vocab import CharVocab


def test_relative_error_values():
    # |a - n| / (|a| + |n|): identical vectors 0, orthogonal unit vectors sqrt(2)/2, 2 vs 1 gives 1/3.
    assert relative_error(np.array([3.0, 4.0]), np.array([3.0, 4.0])) == 0.0
    assert relative_error(np.array([1.0, 0.0]), np.array([0.0, 1.0])) == pytest.approx(
        math.sqrt(2) / 2, rel=1e-15
    )
    assert relative_error(np.array([2.0]), np.array([1.0])) == pytest.approx(1 / 3, rel=1e-15)
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0  # both zero: no division by zero


def test_numerical_gradient_is_the_central_difference_with_the_given_eps():
    # For x**3 the central difference is exactly 3 x**2 + eps**2: it pins the formula and eps.
    x = np.array([1.0, 2.0])
    grad = numerical_gradient(lambda: float(np.sum(x**3)), x, eps=0.1)
    np.testing.assert_allclose(grad, 3 * np.array([1.0, 2.0]) ** 2 + 0.01, rtol=1e-12)
    np.testing.assert_array_equal(x, [1.0, 2.0])  # perturbed in place, then restored
    default = numerical_gradient(lambda: float(np.sum(x**3)), x)  # eps = 1e-5
    np.testing.assert_allclose(default, [3.0, 12.0], rtol=1e-9)


@pytest.mark.parametrize("eps", [0.0, -1e-5, float("nan"), float("inf")])
def test_numerical_gradient_refuses_a_bad_eps(eps):
    x = np.array([1.0])
    with pytest.raises(ValueError, match="eps"):
        numerical_gradient(lambda: float(x[0] ** 2), x, eps=eps)


def test_gradient_check_messages_name_what_is_wrong():
    with pytest.raises(
        TypeError, match=r"^loss must be a function of no arguments returning the loss, got None"
    ):
        numerical_gradient(None, np.array([1.0]))
    with pytest.raises(ValueError, match=r"^eps must be a positive number, got -1"):
        numerical_gradient(lambda: 0.0, np.array([1.0]), eps=-1)
    with pytest.raises(ValueError, match="float64"):
        numerical_gradient(lambda: 0.0, np.array([1.0], dtype=np.float32))
    with pytest.raises(TypeError, match=r"^array must be the NumPy array the loss reads .*got list$"):
        numerical_gradient(lambda: 0.0, [1.0])
    with pytest.raises(TypeError, match=r"^numeric must be an array of numbers, got 'x'"):
        relative_error(np.array([1.0]), "x")
    with pytest.raises(TypeError, match=r"^analytic must be an array of numbers, got 'x'"):
        relative_error("x", np.array([1.0]))


@pytest.mark.parametrize(
    ("params", "grads", "kinds"),
    [(None, {}, "NoneType and dict"), ({}, None, "dict and NoneType"), ([], [], "list and list")],
)
def test_check_gradients_wants_two_dicts(params, grads, kinds):
    with pytest.raises(TypeError, match=rf"^params and grads must be dicts of arrays, got {kinds}$"):
        check_gradients(lambda: 0.0, params, grads)


def test_check_gradients_names_parameters_without_a_gradient():
    with pytest.raises(ValueError, match=r"^no analytic gradient for \['b'\]$"):
        check_gradients(lambda: 0.0, {"a": np.zeros(1), "b": np.zeros(1)}, {"a": np.zeros(1)})


def test_check_gradients_uses_the_given_eps():
    x = np.array([1.0, 2.0])
    analytic = 3 * x**2
    errors = check_gradients(lambda: float(np.sum(x**3)), {"x": x}, {"x": analytic}, eps=0.1)
    numeric = analytic + 0.01
    expected = np.linalg.norm(analytic - numeric) / (np.linalg.norm(analytic) + np.linalg.norm(numeric))
    assert errors["x"] == pytest.approx(expected, rel=1e-9)
    assert errors["x"] > 1e-4  # with the default eps it would be ~1e-11


def test_adagrad_step_for_a_tiny_gradient_stays_below_the_learning_rate():
    # step = lr * g / (sqrt(g**2) + eps): 0.1 * 1e-9 / (1e-9 + 1e-8) = 0.1 / 11.
    params = {"w": np.zeros(1)}
    rnn.Adagrad(learning_rate=0.1, eps=1e-8).update(params, {"w": np.array([1e-9])})
    assert params["w"][0] == pytest.approx(-0.1 / 11, rel=1e-12)


def test_clip_by_norm_of_a_large_gradient_gives_exactly_max_norm():
    grads = {"a": np.array([3.0]), "b": np.array([4.0])}  # global norm 5
    clipped = rnn.clip_by_norm(grads, 1.0)
    assert rnn.global_norm(clipped) == pytest.approx(1.0, rel=1e-11)
    np.testing.assert_allclose(clipped["a"], [0.6], rtol=1e-11)


def test_loss_messages_give_the_expected_and_the_given_shapes():
    with pytest.raises(ValueError, match=r"targets must have shape \(2, 3\), got \(2, 4\)"):
        rnn.softmax_cross_entropy(np.zeros((2, 3, 5)), np.zeros((2, 4), dtype=int))
    with pytest.raises(ValueError, match=r"targets must have shape \(2, 1\)"):
        rnn.mse_last(np.zeros((2, 3, 1)), np.zeros((3, 1)))


def test_stream_batches_says_how_many_ids_one_chunk_needs():
    with pytest.raises(ValueError, match=r"5 ids are too few .* = 11"):
        list(rnn.stream_batches(np.arange(5), batch_size=2, seq_len=5))


def test_vocabulary_messages_and_dtypes():
    with pytest.raises(ValueError, match="^a vocabulary needs at least one character, got none$"):
        CharVocab([])
    with pytest.raises(ValueError, match="^a vocabulary is made of single characters$"):
        CharVocab(["ab"])
    with pytest.raises(ValueError, match="^a vocabulary must not repeat a character$"):
        CharVocab(["a", "a"])
    vocab = CharVocab("abc")
    assert repr(vocab) == "CharVocab(3 characters: 'abc')"
    assert "b" in vocab and "d" not in vocab
    with pytest.raises(ValueError, match="use only these 3 characters: 'abc'"):
        vocab.encode("abd")
    assert vocab.one_hot(np.array([0, 2]), dtype=np.float64).dtype == np.float64
    assert vocab.one_hot(np.array([0, 2]), dtype=np.int8).dtype == np.int8
    assert vocab.one_hot(np.array([1])).dtype == np.float32
    ids = vocab.encode("cab")
    assert ids.dtype == np.int32 and ids.tolist() == [2, 0, 1]


def test_adagrad_keeps_one_memory_per_parameter():
    # Steps: first g / |g| = 1 for both; then w: 1 / sqrt(1 + 1), v: 3 / sqrt(4 + 9).
    params = {"w": np.zeros(1), "v": np.zeros(1)}
    optimizer = rnn.Adagrad(learning_rate=1.0, eps=0.0)
    optimizer.update(params, {"w": np.array([1.0]), "v": np.array([2.0])})
    optimizer.update(params, {"w": np.array([1.0]), "v": np.array([3.0])})
    assert params["w"][0] == pytest.approx(-1 - 1 / math.sqrt(2), rel=1e-12)
    assert params["v"][0] == pytest.approx(-1 - 3 / math.sqrt(13), rel=1e-12)


def test_stream_batches_values():
    # Continuous streams: row b of every batch continues row b of the one before.
    (only,) = rnn.stream_batches(np.arange(20), batch_size=2, seq_len=5)  # 19 // 10 = 1 chunk
    assert only[0].tolist() == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    assert only[1].tolist() == [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]
    first, second = rnn.stream_batches(np.arange(25), batch_size=2, seq_len=5)  # 2 chunks, 4 ids unused
    assert first[0].tolist() == [[0, 1, 2, 3, 4], [10, 11, 12, 13, 14]]
    assert second[0].tolist() == [[5, 6, 7, 8, 9], [15, 16, 17, 18, 19]]
    assert second[1].tolist() == [[6, 7, 8, 9, 10], [16, 17, 18, 19, 20]]
    with pytest.raises(ValueError, match="^10 ids are too few"):  # one chunk needs 11
        list(rnn.stream_batches(np.arange(10), batch_size=2, seq_len=5))


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: rnn.mse_last("x", np.zeros(1)), TypeError, r"^ys must be an array of numbers, got 'x'"),
        (lambda: rnn.backward({}, "x", None, None), TypeError, r"^xs must be an array of numbers, got 'x'"),
        (
            lambda: rnn.softmax_cross_entropy("x", [0]),
            TypeError,
            r"^logits must be an array of numbers, got 'x'",
        ),
        (
            lambda: rnn.mse_last(np.zeros((2, 3)), np.zeros(1)),
            ValueError,
            r"^ys must have shape \(batch, time, n_out\)",
        ),
        (lambda: list(rnn.stream_batches("x", 2, 5)), TypeError, r"^ids must be an array of numbers"),
        (
            lambda: list(rnn.stream_batches(np.zeros((2, 2)), 2, 5)),
            ValueError,
            r"^ids must be a 1-D sequence",
        ),
        (
            lambda: list(rnn.stream_batches(np.arange(50), 0, 5)),
            ValueError,
            r"^batch_size must be a positive integer",
        ),
        (
            lambda: list(rnn.stream_batches(np.arange(50), 2, 0)),
            ValueError,
            r"^seq_len must be a positive integer",
        ),
        (
            lambda: rnn.clip_by_norm([], 1.0),
            TypeError,
            r"^grads must be a dict of arrays \(name -> gradient\), got list",
        ),
    ],
)
def test_numpy_rnn_messages_name_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()
