"""The chapters' Colab setup cell: pinned, loud on failure, never prompting for a password."""

import importlib.util
import re
import subprocess
import sys
import types

import nbformat
import pytest

from rnnbook import colab_setup

URL = "https://github.com/rnn-book/rnn-book"


def test_rendered_cell_pins_the_ref_and_never_prompts():
    source = colab_setup.render(URL, "0123abc")
    assert colab_setup.pinned_ref(source) == "0123abc"
    assert '"git+https://github.com/rnn-book/rnn-book@" + RNNBOOK_REF' in source
    assert '"GIT_TERMINAL_PROMPT": "0"' in source
    assert "%pip" not in source, "%pip prints 'you may need to restart the kernel'"
    assert "tensorflow" not in source.lower()
    compile(source, "setup", "exec")


def test_failed_install_raises_with_what_failed_and_what_to_do(monkeypatch, tmp_path):
    source = colab_setup.render(f"file://{tmp_path}/no-such-repo", "0123abc")
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "rnnbook" else real_find_spec(name, *a)
    )
    with pytest.raises(RuntimeError, match=r"Installing the book's helpers failed: pip install git\+file://"):
        exec(compile(source, "setup", "exec"), {})


def test_outside_colab_the_cell_does_nothing():
    assert "google.colab" not in sys.modules
    exec(compile(colab_setup.render("file:///nowhere", "x"), "setup", "exec"), {})


def test_pin_replaces_the_first_code_cell_only(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# 1. Title"),
        nbformat.v4.new_code_cell('if "google.colab" in sys.modules:\n    pass'),
        nbformat.v4.new_code_cell("print(1)"),
    ]
    colab_setup.pin(nb, URL, "feedbeef")
    assert colab_setup.pinned_ref(nb.cells[1].source) == "feedbeef"
    assert nb.cells[2].source == "print(1)"
    nb.cells = [nbformat.v4.new_code_cell("print(1)")]
    assert not colab_setup.has_setup_cell(nb)
    with pytest.raises(ValueError, match="not the Colab setup cell"):
        colab_setup.pin(nb, URL, "feedbeef")


def _git(root, *args):
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def test_head_commit_refuses_uncommitted_helper_code(tmp_path):
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "m.py").write_text("x = 1\n")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "-c", "user.email=a@b", "-c", "user.name=a", "commit", "-q", "-m", "one")
    assert re.fullmatch(r"[0-9a-f]{40}", colab_setup.head_commit(tmp_path))
    (tmp_path / "code" / "m.py").write_text("x = 2\n")
    with pytest.raises(RuntimeError, match="code/ has uncommitted changes"):
        colab_setup.head_commit(tmp_path)


def test_fold_solutions_folds_the_solution_cells_only():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("```{exercise} Do it\n:label: x\nWrite f.\n```"),
        nbformat.v4.new_markdown_cell("```{solution-start} x\n:class: dropdown\n```\nThe idea."),
        nbformat.v4.new_code_cell("def f():\n    return 1"),
        nbformat.v4.new_markdown_cell("More of the solution."),
        nbformat.v4.new_markdown_cell("```{solution-end}\n```\n\n```{exercise} Next\n:label: y\nWhy?\n```"),
        nbformat.v4.new_code_cell("print('not a solution')"),
    ]
    assert colab_setup.fold_solutions(nb) == 3
    hidden = [c.metadata.get("jupyter", {}).get("source_hidden", False) for c in nb.cells]
    assert hidden == [False, True, True, True, False, False]
    assert nb.cells[2].metadata["cellView"] == "form" and "cellView" not in nb.cells[5].metadata


def test_every_chapter_stores_its_solutions_folded():
    from rnnbook.execute import chapter_notebooks

    from .test_book import REPO

    for path in chapter_notebooks(REPO):
        nb = nbformat.read(path, as_version=4)
        before = [dict(c.metadata) for c in nb.cells]
        assert colab_setup.fold_solutions(nb) > 0, f"{path.name} has no solutions to fold"
        assert [dict(c.metadata) for c in nb.cells] == before, f"{path.name}: solutions not folded"
