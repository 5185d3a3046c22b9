"""rnnbook.interpret: features of the text, correlations, the chosen units, the coloured passage."""

import numpy as np
import pytest

from rnnbook import interpret

TEXT = "First Citizen:\nBefore we proceed.\n\nAll:\nSpeak, speak.\n"


def test_features_of_a_small_text():
    f = interpret.text_features(TEXT)
    assert set(f) == set(interpret.FEATURES)
    assert all(v.shape == (len(TEXT),) for v in f.values())
    assert f["line position"][:3].tolist() == [1, 2, 3]  # characters of the line read
    assert f["line position"][TEXT.index("Before")] == 1
    assert f["line position"][TEXT.index("\n")] == 0  # a new line has begun
    assert f["line position"][TEXT.index(":\n")] == len("First Citizen:")
    heading = TEXT.index("First Citizen:")
    assert f["speaker name"][heading : heading + 14].tolist() == [1.0] * 14
    assert f["speaker name"][TEXT.index("Before")] == 0
    assert f["speaker name"][TEXT.index("All:")] == 1 and f["speaker name"][TEXT.index("Speak")] == 0
    # after the colon: the heading's newline and the whole first line of the speech
    assert f["after a colon"][TEXT.index(":\n") + 1] == 1
    assert f["after a colon"][TEXT.index("proceed.\n") + 8] == 1  # its newline
    assert f["after a colon"][TEXT.index("\n\nAll") + 1] == 0
    assert f["after a colon"][TEXT.index(":")] == 0
    assert f["word position"][TEXT.index("Citizen") + 2] == 3
    assert f["word position"][TEXT.index(" we")] == 0


def test_a_line_with_a_colon_inside_is_no_heading():
    f = interpret.text_features("He said: go\nNow\n")
    assert not f["speaker name"].any() and not f["after a colon"].any()


def test_a_verse_line_ending_in_a_colon_is_no_heading():
    text = "ROMEO:\nWhereof I know she is not ignorant:\nAnd more\n\nJULIET:\nAy\n"
    f = interpret.text_features(text)
    verse = text.index("Whereof")
    assert not f["speaker name"][verse : verse + 10].any()
    assert f["speaker name"][text.index("JULIET")] == 1  # after a blank line
    assert f["after a colon"][text.index("And more")] == 0  # the verse line read no heading
    assert f["after a colon"][text.index("Ay")] == 1


@pytest.mark.parametrize("bad, error", [("", ValueError), (b"abc", TypeError), (None, TypeError)])
def test_bad_text(bad, error):
    with pytest.raises(error, match="text"):
        interpret.text_features(bad)


def test_correlations_find_the_unit_that_follows_a_feature():
    rng = np.random.default_rng(0)
    feature = np.tile(np.arange(10.0), 20)
    states = rng.normal(size=(200, 6))
    states[:, 4] = -0.5 * feature + 0.1 * rng.normal(size=200)
    states[:, 1] = 3.0  # constant: correlation 0, not nan
    names, corr = interpret.correlations(states, {"pos": feature})
    assert names == ["pos"] and corr.shape == (1, 6)
    assert corr[0, 4] < -0.95 and corr[0, 1] == 0.0
    assert np.isclose(corr[0, 0], np.corrcoef(feature, states[:, 0])[0, 1])
    assert interpret.best_units(names, corr) == [("pos", 4, corr[0, 4])]


def test_best_units_distinct():
    corr = np.array([[0.9, 0.1, 0.5], [0.8, -0.2, 0.7]])
    assert interpret.best_units(["a", "b"], corr) == [("a", 0, 0.9), ("b", 2, 0.7)]
    assert interpret.best_units(["a", "b"], corr, distinct=False)[1] == ("b", 0, 0.8)
    with pytest.raises(ValueError, match="names"):
        interpret.best_units(["a"], corr)
    with pytest.raises(ValueError, match="distinct"):
        interpret.best_units(["a", "b", "c"], np.ones((3, 2)))


@pytest.mark.parametrize(
    "states, features, match",
    [
        (np.ones((5, 2)), {"a": np.ones(4)}, "features\\['a'\\]"),
        (np.ones(5), {"a": np.ones(5)}, "states"),
        (np.ones((1, 2)), {"a": np.ones(1)}, "at least 2"),
        (np.full((5, 2), np.nan), {"a": np.ones(5)}, "states"),
        (np.ones((5, 2)), {}, "features"),
    ],
)
def test_correlations_bad_input(states, features, match):
    with pytest.raises(ValueError, match=match):
        interpret.correlations(states, features)


def test_colored_html():
    page = interpret.colored_html("ab\nc<", np.array([1.0, -1.0, 0.0, 0.5, 2.0]), title="unit 3")
    assert page.count("<span") == 5
    assert "rgb(255,0,0)" in page and "rgb(0,0,255)" in page and "rgb(255,255,255)" in page
    assert "&lt;" in page and "⏎" in page and "unit 3" in page
    long = interpret.colored_html("x" * 170, np.zeros(170), width=80)
    assert long.count("<br>") == 2
    with pytest.raises(ValueError, match="one value per character"):
        interpret.colored_html("abc", np.zeros(2))
    with pytest.raises(ValueError, match="values"):
        interpret.colored_html("abc", np.array([0.0, np.inf, 0.0]))


def test_lstm_replay_matches_the_step_by_step_lstm():
    from rnnbook import gates

    rng = np.random.default_rng(1)
    n_in, units, steps = 3, 5, 40
    weights = [
        rng.normal(size=(n_in, 4 * units)),
        rng.normal(size=(units, 4 * units)),
        rng.normal(size=4 * units),
    ]
    xs = rng.normal(size=(steps, n_in))
    loop = gates.lstm_forward(xs[None], weights)
    replay = interpret.lstm_replay(xs, loop["h"][0], weights)
    for name in ("input", "forget", "candidate", "output", "c", "h"):
        assert np.allclose(replay[name], loop[name][0], atol=1e-12), name
    # hidden states that do not belong to these inputs give a different h: the check can fail
    wrong = interpret.lstm_replay(xs, np.roll(loop["h"][0], 1, axis=0), weights)
    assert not np.allclose(wrong["h"], loop["h"][0], atol=1e-3)


def test_lstm_replay_bad_shapes():
    weights = [np.zeros((3, 8)), np.zeros((2, 8)), np.zeros(8)]
    with pytest.raises(ValueError, match="xs"):
        interpret.lstm_replay(np.zeros((4, 2)), np.zeros((4, 2)), weights)
    with pytest.raises(ValueError, match="h must have shape"):
        interpret.lstm_replay(np.zeros((4, 3)), np.zeros((5, 2)), weights)
    with pytest.raises(ValueError, match="recurrent_kernel"):
        interpret.lstm_replay(
            np.zeros((4, 3)), np.zeros((4, 2)), [np.zeros((3, 8)), np.zeros((2, 6)), np.zeros(8)]
        )
