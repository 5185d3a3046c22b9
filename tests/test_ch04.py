"""Chapter 4's checkers: right answers pass, each typical mistake gets its own message."""

import numpy as np
import pytest

from rnnbook import numpy_rnn as rnn
from rnnbook.checks import CheckFailed, ch04
from rnnbook.profiles import SIZES

# --- temperature_softmax -------------------------------------------------------------


def good_temperature_softmax(logits, temperature):
    if not temperature > 0:
        raise ValueError("temperature must be > 0")
    z = np.asarray(logits, dtype=float) / temperature
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def test_temperature_checker_accepts_a_right_answer(capsys):
    ch04.check_temperature_softmax(good_temperature_softmax)
    assert capsys.readouterr().out.startswith("Correct!")


def test_temperature_checker_accepts_the_library_softmax(capsys):
    ch04.check_temperature_softmax(rnn.softmax)
    assert "Correct!" in capsys.readouterr().out


def multiplied(logits, temperature):
    return good_temperature_softmax(np.asarray(logits) * temperature**2, temperature)


def ignores_temperature(logits, temperature):
    return good_temperature_softmax(logits, 1.0) if temperature > 0 else good_temperature_softmax(logits, -1)


def whole_array(logits, temperature):
    e = np.exp(np.asarray(logits) / temperature - np.max(logits))
    return e / e.sum()


def unstable(logits, temperature):
    if temperature <= 0:
        raise ValueError("temperature must be > 0")
    e = np.exp(np.asarray(logits, dtype=float) / temperature)
    return e / e.sum(axis=-1, keepdims=True)


def no_validation(logits, temperature):
    with np.errstate(all="ignore"):
        z = np.asarray(logits, dtype=float) / (temperature if temperature else 1.0)
        z = z - z.max(axis=-1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=-1, keepdims=True)


def forgets_return(logits, temperature):
    good_temperature_softmax(logits, temperature)


def unnormalised(logits, temperature):
    return np.exp(np.asarray(logits) / temperature - np.max(logits, axis=-1, keepdims=True))


@pytest.mark.parametrize(
    "answer,message",
    [
        (multiplied, "multiplied the logits by the temperature"),
        (ignores_temperature, "the temperature is ignored"),
        (whole_array, "over the whole array, not per row"),
        (unstable, "subtract the largest logit"),
        (no_validation, "temperature 0.0 must raise ValueError"),
        (forgets_return, "forget to `return`"),
        (unnormalised, "each row must sum to 1"),
    ],
)
def test_temperature_checker_names_the_mistake(answer, message):
    with pytest.raises(CheckFailed, match=message):
        ch04.check_temperature_softmax(answer)


def test_temperature_checker_rejects_wrong_shape():
    with pytest.raises(CheckFailed, match=r"shape \(65,\), expected \(4, 65\)"):
        ch04.check_temperature_softmax(lambda logits, t: good_temperature_softmax(logits[0], t))


# --- cross_entropy_and_grad ------------------------------------------------------------


def good_cross_entropy(logits, targets):
    """Written out here, not the library's, so the checker is tested against an independent answer."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    probs = np.exp(shifted) / np.exp(shifted).sum(axis=-1, keepdims=True)
    picked = np.take_along_axis(probs, targets[..., None], axis=-1)[..., 0]
    onehot = np.eye(logits.shape[-1])[targets]
    return float(-np.log(picked).mean()), (probs - onehot) / targets.size


def onehot_like(logits, targets):
    return np.eye(logits.shape[-1])[targets]


def test_cross_entropy_checker_accepts_a_right_answer(capsys):
    ch04.check_cross_entropy_and_grad(good_cross_entropy)
    assert capsys.readouterr().out.startswith("Correct!")


def summed_loss(logits, targets):
    loss, grad = good_cross_entropy(logits, targets)
    return loss * targets.size, grad


def bits(logits, targets):
    loss, grad = good_cross_entropy(logits, targets)
    return loss / np.log(2), grad


def wrong_sign(logits, targets):
    loss, grad = good_cross_entropy(logits, targets)
    return loss, -grad


def not_averaged(logits, targets):
    loss, grad = good_cross_entropy(logits, targets)
    return loss, grad * targets.size


def no_subtraction(logits, targets):
    loss, _ = good_cross_entropy(logits, targets)
    return loss, rnn.softmax(logits) / targets.size


def wrong_loss(logits, targets):
    loss, grad = good_cross_entropy(logits, targets)
    return loss + 0.5, grad


def slightly_wrong_grad(logits, targets):
    loss, grad = good_cross_entropy(logits, targets)
    return loss, grad + 1e-3 * onehot_like(logits, targets)


@pytest.mark.parametrize(
    "answer,message",
    [
        (summed_loss, "sum over the 15 predictions; take the mean"),
        (bits, "the loss is in bits"),
        (wrong_loss, r"the loss is 2\.39879, expected 1\.89879"),
        (wrong_sign, "wrong sign"),
        (not_averaged, "divide by the 15 predictions"),
        (no_subtraction, "subtract 1 at each target"),
        (slightly_wrong_grad, "dlogits is wrong at index"),
        (lambda logits, targets: good_cross_entropy(logits, targets)[0], "return a pair"),
        (lambda logits, targets: (good_cross_entropy(logits, targets)[0], np.zeros(3)), "shape"),
    ],
)
def test_cross_entropy_checker_names_the_mistake(answer, message):
    with pytest.raises(CheckFailed, match=message):
        ch04.check_cross_entropy_and_grad(answer)


# --- sizes ---------------------------------------------------------------------------------


def test_chapter_sizes_have_the_same_keys_in_every_profile():
    keys = {profile: set(values) for profile, values in SIZES["ch04"].items()}
    assert keys["quick"] == keys["cpu"] == keys["gpu"]
    assert {"n_hidden", "batch_size", "seq_len", "epochs", "learning_rate", "clip_norm"} <= keys["cpu"]
