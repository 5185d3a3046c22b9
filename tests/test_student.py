"""The student edition: solutions out, stubs in, and (for every chapter) it still runs up to the stubs."""

import os

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from rnnbook import student
from rnnbook.execute import chapter_notebooks

from .test_book import REPO

CHAPTERS = chapter_notebooks(REPO)

EXERCISE = "```{exercise} Add\n:label: demo-add\nWrite `add`.\n```"
START = "```{solution-start} demo-add\n:class: dropdown\n```"
END = "```{solution-end}\n```\n\nAfter the solution."
CODE = (
    "def add(a, b):\n    ### BEGIN SOLUTION\n    total = a + b\n    return total\n"
    "    ### END SOLUTION\n\ncheck(add)"
)


def demo_notebook():
    cells = [
        new_markdown_cell("Intro"),
        new_code_cell("x = 1"),
        new_markdown_cell(EXERCISE),
        new_markdown_cell(START),
        new_markdown_cell("Prose of the solution."),
        new_code_cell(CODE),
        new_code_cell("print('pure solution code')"),
        new_markdown_cell(END),
        new_markdown_cell("```{solution} demo-add\nA whole prose solution.\n```\nKept text."),
        new_markdown_cell(
            "```{exercise} Two\n:label: demo-two\nSecond.\n```\n\n"
            + START.replace("add", "two")
            + "\nHidden prose.\n"
            + END.replace("After the solution.", "Tail text.")
        ),
    ]
    cells[5].outputs = [nbformat.v4.new_output("stream", text="Correct!")]
    return new_notebook(cells=cells, metadata={"rnnbook": {"profile": "cpu"}})


def test_solutions_are_replaced_by_stubs():
    cells = student.student_cells(demo_notebook().cells)
    sources = [c.source for c in cells]
    text = "\n".join(sources)
    assert "total = a + b" not in text and "Prose of the solution" not in text
    assert "pure solution code" not in text and "A whole prose solution" not in text
    assert "solution-start" not in text and "solution-end" not in text
    assert "def add(a, b):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n\ncheck(add)" in sources
    assert "After the solution." in sources and "Kept text." in text
    assert "Second." in text and "Hidden prose." not in text and "Tail text." in text
    stub = next(c for c in cells if "YOUR CODE HERE" in c.source)
    assert stub.outputs == [] and "exercise" in stub.metadata["tags"]


def test_command_writes_valid_notebooks_and_refuses_to_overwrite_chapters(tmp_path):
    source = tmp_path / "src" / "01_demo.ipynb"
    source.parent.mkdir()
    nbformat.write(demo_notebook(), source)
    assert student.main([str(tmp_path / "out"), str(source)]) == 0
    written = nbformat.read(tmp_path / "out" / "01_demo.ipynb", as_version=4)
    nbformat.validate(written)
    assert "rnnbook" not in written.metadata
    with pytest.raises(SystemExit):
        student.main([str(source.parent), str(source)])


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_student_chapter_fails_only_at_the_exercises(path, tmp_path):
    from nbclient import NotebookClient

    target = student.make_student_edition(path, tmp_path)
    nb = nbformat.read(target, as_version=4)
    text = "\n".join(c.source for c in nb.cells)
    assert student.BEGIN not in text and "solution-start" not in text
    exercise_cells = [c for c in nb.cells if "exercise" in c.metadata.get("tags", [])]
    assert exercise_cells, "no exercise cell for the student to fill in"
    assert os.environ["RNNBOOK_PROFILE"] == "quick"
    NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if "exercise" in cell.metadata.get("tags", []):
            assert [e.ename for e in errors] == ["NotImplementedError"], cell.source
        elif "raises-exception" not in cell.metadata.get("tags", []):
            assert not errors, f"a cell failed: {errors[0].ename}: {errors[0].evalue}\n{cell.source}"
