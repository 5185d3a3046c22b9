"""The execute command runs a notebook for real, stamps it, and the stamp check notices changes."""

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from rnnbook import execute


def make_notebook(path, source):
    nb = new_notebook(cells=[new_code_cell(source)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def test_execute_stamps_and_check_detects_edits(tmp_path, capsys):
    path = tmp_path / "01_demo.ipynb"
    make_notebook(path, "import os\nprint(os.environ['RNNBOOK_PROFILE'])")
    assert execute.stamp_problems(path) == ["01_demo.ipynb: never executed by `python -m rnnbook.execute`"]

    assert execute.main([str(path)]) == 0  # default: the cpu profile, after a timed quick run
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[0].outputs[0].text == "cpu\n"  # the stored outputs are the cpu run's
    assert set(nb.metadata["rnnbook"]) == {"profile", "code_sha256", "seconds", "quick_seconds"}
    assert execute.stamp_problems(path) == []

    assert execute.main([str(path), "--profile", "quick"]) == 0
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[0].outputs[0].text == "quick\n"
    assert nb.metadata["rnnbook"]["profile"] == "quick"
    assert execute.stamp_problems(path, "quick") == []
    assert "profile 'quick', expected 'cpu'" in execute.stamp_problems(path)[0]

    nb.cells[0].source += "\nprint('changed')"
    nbformat.write(nb, path)
    assert "code cells changed" in execute.stamp_problems(path, "quick")[0]
    assert execute.main([str(path), "--check", "--profile", "quick"]) == 1


def test_code_hash_ignores_markdown_and_outputs():
    nb = new_notebook(cells=[new_code_cell("x = 1")])
    before = execute.code_hash(nb)
    nb.cells.append(nbformat.v4.new_markdown_cell("prose"))
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", text="1")]
    assert execute.code_hash(nb) == before
    nb.cells[0].source = "x = 2"
    assert execute.code_hash(nb) != before
