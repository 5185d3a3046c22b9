"""Chapter 3's checkers: right answers pass, each usual mistake gets its own message."""

import numpy as np
import pytest

from rnnbook import numpy_rnn
from rnnbook.checks import CheckFailed, ch03

# --- check_clip_by_norm ---------------------------------------------------------------------


def clip_right(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    scale = max_norm / norm if norm > max_norm else 1.0
    return {k: g * scale for k, g in grads.items()}


def test_clip_by_norm_accepts_a_right_answer_and_the_library_version(capsys):
    ch03.check_clip_by_norm(clip_right)
    ch03.check_clip_by_norm(numpy_rnn.clip_by_norm)
    assert capsys.readouterr().out.startswith("Correct!")


def clip_per_array(grads, max_norm):
    return {k: g * min(1.0, max_norm / np.linalg.norm(g)) for k, g in grads.items()}


def clip_always(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    return {k: g * max_norm / (norm + 1e-12) for k, g in grads.items()}


def clip_nan_on_zero(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.minimum(1.0, max_norm / norm) if norm > 0 else np.nan
    return {k: g * scale for k, g in grads.items()}


def clip_in_place(grads, max_norm):
    clipped = clip_right(grads, max_norm)
    for k in grads:
        grads[k][...] = clipped[k]
    return grads


def clip_wrong_scale(grads, max_norm):
    return clip_right(grads, 2 * max_norm)


def clip_changes_direction(grads, max_norm):
    out = clip_right(grads, max_norm)
    out["by"] = out["by"][::-1].copy()
    return out


@pytest.mark.parametrize(
    "answer, message",
    [
        (lambda g, m: None, "forget to `return`"),
        (lambda g, m: list(g.values()), "must return a dict"),
        (lambda g, m: {k: v for k, v in clip_right(g, m).items() if k != "bh"}, r"keys .*expected"),
        (lambda g, m: {k: np.clip(v, -m, m) for k, v in g.items()}, "clipping by value"),
        (clip_per_array, "each array was clipped on its own"),
        (clip_always, "must come back unchanged"),
        (clip_nan_on_zero, "all-zero gradient must come back as zeros"),
        (clip_in_place, "in place"),
        (clip_wrong_scale, r"have global norm 2; expected 1"),
        (clip_changes_direction, "different direction"),
        (lambda g, m: {k: v[None] for k, v in clip_right(g, m).items()}, "has shape"),
    ],
)
def test_clip_by_norm_names_each_mistake(answer, message):
    with pytest.raises(CheckFailed, match=message):
        ch03.check_clip_by_norm(answer)


# --- check_state_jacobian --------------------------------------------------------------------


def test_reference_jacobian_matches_finite_differences():
    rng = np.random.default_rng(0)
    params = numpy_rnn.init_params(2, 4, 1, rng, recurrent_scale=1.2)
    xs = rng.standard_normal((1, 6, 2))
    _, hs = numpy_rnn.forward(params, xs)
    t, eps = 2, 1e-6
    numeric = np.zeros((4, 4))
    for j in range(4):
        for sign in (1, -1):
            h0 = hs[:, t].copy()
            h0[0, j] += sign * eps
            _, rest = numpy_rnn.forward(params, xs[:, t:], h0)
            numeric[:, j] += sign * rest[0, -1] / (2 * eps)
    np.testing.assert_allclose(
        ch03.reference_state_jacobian(params["Whh"], hs[0], t), numeric, rtol=1e-6, atol=1e-9
    )


def test_state_jacobian_accepts_a_right_answer(capsys):
    def answer(Whh, hs, t):
        jacobian = np.eye(Whh.shape[0])
        for k in range(t + 1, hs.shape[0]):
            jacobian = np.diag(1 - hs[k] ** 2) @ Whh.T @ jacobian
        return jacobian

    ch03.check_state_jacobian(answer)
    assert "Correct!" in capsys.readouterr().out


def _product(factors, size):
    out = np.eye(size)
    for factor in factors:  # the latest step on the left
        out = factor @ out
    return out


def jacobian_transposed(Whh, hs, t):
    return ch03.reference_state_jacobian(Whh, hs, t).T


def jacobian_no_transpose(Whh, hs, t):
    return _product((np.diag(1 - hs[k] ** 2) @ Whh for k in range(t + 1, len(hs))), len(Whh))


def jacobian_no_tanh(Whh, hs, t):
    return np.linalg.matrix_power(Whh.T, len(hs) - 1 - t)


def jacobian_off_by_one(Whh, hs, t):
    return _product((np.diag(1 - hs[k - 1] ** 2) @ Whh.T for k in range(t + 1, len(hs))), len(Whh))


def jacobian_reversed(Whh, hs, t):
    return _product((np.diag(1 - hs[k] ** 2) @ Whh.T for k in range(len(hs) - 1, t, -1)), len(Whh))


def jacobian_not_identity_at_T(Whh, hs, t):
    if t == len(hs) - 1:
        return np.zeros_like(Whh)
    return ch03.reference_state_jacobian(Whh, hs, t)


@pytest.mark.parametrize(
    "answer, message",
    [
        (lambda Whh, hs, t: None, "forget to `return`"),
        (lambda Whh, hs, t: np.eye(3), r"has shape \(3, 3\), expected \(4, 4\)"),
        (jacobian_transposed, "transpose"),
        (jacobian_no_transpose, "needs Whh.T"),
        (jacobian_no_tanh, "leaves out the tanh derivative"),
        (jacobian_off_by_one, "one step off"),
        (jacobian_reversed, "wrong order"),
        (jacobian_not_identity_at_T, "identity"),
        (lambda Whh, hs, t: 1.5 * ch03.reference_state_jacobian(Whh, hs, t), "is wrong at index"),
    ],
)
def test_state_jacobian_names_each_mistake(answer, message):
    with pytest.raises(CheckFailed, match=message):
        ch03.check_state_jacobian(answer)


def test_state_jacobian_rejects_changing_whh_in_place():
    def answer(Whh, hs, t):
        result = ch03.reference_state_jacobian(Whh, hs, t)
        Whh *= 0.0
        return result

    with pytest.raises(CheckFailed, match="in place"):
        ch03.check_state_jacobian(answer)
