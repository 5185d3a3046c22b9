import sys

import pytest

from rnnbook.glue import glue


def test_glue_falls_back_to_showing_the_value_where_myst_nb_is_missing(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "myst_nb", None)  # as in Colab: import fails
    glue("gap", 0.25)
    assert capsys.readouterr().out.strip() == "0.25"
    glue("hidden", 0.5, display=False)
    assert capsys.readouterr().out == ""


def test_glue_uses_myst_nb_when_installed(monkeypatch):
    calls = []
    import myst_nb

    monkeypatch.setattr(
        myst_nb, "glue", lambda name, value, display=True: calls.append((name, value, display))
    )
    glue("gap", 0.25, display=False)
    assert calls == [("gap", 0.25, False)]


@pytest.mark.parametrize("name", [None, "", 3])
def test_glue_refuses_a_name_that_is_not_a_string(name):
    with pytest.raises(TypeError, match="name must be a non-empty string"):
        glue(name, 1.0)
