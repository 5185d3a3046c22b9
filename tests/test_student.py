"""The student edition: solutions out in every fence MyST accepts, answer cells in, exercises
as plain Markdown, the committed copy in step, and every chapter failing only at its exercises."""

import ast
import builtins
import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from rnnbook import assignments, student
from rnnbook.execute import STAMP_KEY, chapter_notebooks

from .test_book import REPO

CHAPTERS = chapter_notebooks(REPO)
EDITION = REPO / "student_edition"
SECRET = "SECRET SOLUTION TEXT"
CODE = (
    "def add(a, b):\n    ### BEGIN SOLUTION\n    total = a + b\n    return total\n"
    "    ### END SOLUTION\n\ncheck(add)"
)


def directive(fence: str, name: str, arg: str = "", options: str = "", body: str = "") -> str:
    return f"{fence}{{{name}}} {arg}".rstrip() + "\n" + options + body + ("\n" if body else "") + fence


# Every fence form MyST accepts for a directive: character, length, options as lines or YAML.
FENCES = ["```", "````", "`````", "~~~", ":::", "::::"]
OPTIONS = ["", ":class: dropdown\n", ":class: dropdown\n:label: ignored\n", "---\nclass: dropdown\n---\n"]
FORMS = [(fence, options) for fence in FENCES for options in OPTIONS]


def notebook(*cells):
    return new_notebook(cells=list(cells), metadata={STAMP_KEY: {"profile": "cpu"}})


def exercise(fence="```", label="demo-add", text="Write `add`. Why?"):
    return new_markdown_cell(directive(fence, "exercise", "Add", f":label: {label}\n", text))


def student_text(nb) -> str:
    return "\n".join(c.source for c in student.student_cells(nb.cells, "1"))


@pytest.mark.parametrize("fence,options", FORMS, ids=[f"{f}{len(o)}" for f, o in FORMS])
def test_gated_solutions_are_removed_in_every_fence_form(fence, options):
    nb = notebook(
        exercise(fence),
        new_markdown_cell(directive(fence, "solution-start", "demo-add", options)),
        new_markdown_cell(SECRET),
        new_code_cell(CODE),
        new_code_cell(f"print('{SECRET}')"),
        new_markdown_cell(directive(fence, "solution-end") + "\n\nAfter the solution."),
    )
    cells = student.student_cells(nb.cells, "1")
    text = "\n".join(c.source for c in cells)
    assert SECRET not in text and "total = a + b" not in text and "{solution" not in text
    assert "After the solution." in text
    assert "def add(a, b):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n\ncheck(add)" in text
    assert any("answer" in c.metadata.get("tags", []) and c.cell_type == "markdown" for c in cells)


@pytest.mark.parametrize("fence,options", FORMS, ids=[f"{f}{len(o)}" for f, o in FORMS])
def test_whole_solution_directives_are_removed_in_every_fence_form(fence, options):
    solution = directive(fence, "solution", "demo-add", options, f"{SECRET}\n\nMore of it.")
    nb = notebook(exercise(fence), new_markdown_cell(f"Before.\n\n{solution}\n\nKept text."))
    text = student_text(nb)
    assert SECRET not in text and "More of it" not in text and "{solution" not in text
    assert "Before." in text and "Kept text." in text and student.PROSE_STUB in text


def test_several_gates_in_one_cell_and_nested_fences():
    cell = "\n\n".join(
        [
            directive("````", "exercise", "One", ":label: one\n", "Text with code:\n\n```python\nx = 1\n```"),
            directive("```", "solution-start", "one"),
            f"{SECRET} one",
            directive("```", "solution-end"),
            directive(":::", "exercise", "Two", ":label: two\n", "Second?"),
            directive(":::", "solution-start", "two", ":class: dropdown\n"),
            f"{SECRET} two",
            directive(":::", "solution-end"),
            "Tail text.",
        ]
    )
    text = student_text(notebook(new_markdown_cell(cell)))
    assert SECRET not in text and "Tail text." in text
    assert "### Exercise 1.1: One" in text and "```python\nx = 1\n```" in text
    assert "### Exercise 1.2: Two" in text and "{exercise}" not in text


BROKEN = {
    "start without end": [directive("```", "solution-start", "demo-add"), SECRET],
    "end without start": [directive("```", "solution-end")],
    "unclosed fence": [f"```{{solution}} demo-add\n{SECRET}\n"],
    "mismatched fence": [f"```{{solution}} demo-add\n{SECRET}\n:::"],
    "unknown label": [directive("```", "solution", "no-such-exercise", "", SECRET)],
    "start inside a solution": [directive("```", "solution-start", "demo-add")] * 2,
}


@pytest.mark.parametrize("name", BROKEN)
def test_a_solution_it_cannot_recognise_is_an_error_and_nothing_is_written(name, tmp_path):
    nb = notebook(exercise(), *(new_markdown_cell(s) for s in BROKEN[name]), new_markdown_cell("End."))
    with pytest.raises(student.UnrecognisedSolutionError):
        student.student_cells(nb.cells, "1")
    source = tmp_path / "01_demo.ipynb"
    nbformat.write(nb, source)
    with pytest.raises(student.UnrecognisedSolutionError):
        student.main([str(tmp_path / "out"), str(source)])
    assert not (tmp_path / "out" / source.name).exists()


def test_a_solution_region_without_its_end_is_an_error():
    nb = notebook(exercise(), new_code_cell(f"def f():\n    ### BEGIN SOLUTION\n    return '{SECRET}'\n"))
    with pytest.raises(student.UnrecognisedSolutionError):
        student.student_cells(nb.cells, "1")


def test_exercises_become_markdown_with_numbers_and_references():
    nb = notebook(
        new_markdown_cell("See {ref}`demo-add` and {ref}`the figure <fig-x>`."),
        exercise(),
        new_markdown_cell(directive("```", "solution", "demo-add", "", SECRET)),
    )
    cells = student.student_cells(nb.cells, "4")
    assert cells[0].source == "See Exercise 4.1 and the figure."
    assert cells[1].source == "### Exercise 4.1: Add\n\nWrite `add`. Why?"
    assert cells[2].cell_type == "markdown" and "answer" in cells[2].metadata["tags"]


def test_command_writes_valid_notebooks_and_refuses_to_overwrite_chapters(tmp_path):
    source = tmp_path / "src" / "01_demo.ipynb"
    source.parent.mkdir()
    nb = notebook(exercise(), new_markdown_cell(directive("```", "solution-start", "demo-add")))
    nb.cells += [new_code_cell(CODE), new_markdown_cell(directive("```", "solution-end"))]
    nbformat.write(nb, source)
    assert student.main([str(tmp_path / "out"), str(source)]) == 0
    written = nbformat.read(tmp_path / "out" / "01_demo.ipynb", as_version=4)
    nbformat.validate(written)
    assert STAMP_KEY not in written.metadata
    with pytest.raises(SystemExit):
        student.main([str(source.parent), str(source)])


# --- every chapter -------------------------------------------------------------------------


def tags(cell) -> list:
    return cell.metadata.get("tags", [])


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_exercise_has_its_answer_cells(path):
    chapter = nbformat.read(path, as_version=4)
    parsed = student.parse(chapter.cells, student.chapter_number(path), str(path))
    nb = student.student_notebook(path)
    text = "\n".join(c.source for c in nb.cells)
    assert "{exercise}" not in text and "{solution" not in text and student.BEGIN not in text
    assert parsed.exercises, "a chapter without exercises"
    for label, ex in parsed.exercises.items():
        mine = [c for c in nb.cells if c.metadata.get(student.EXERCISE_KEY) == label]
        assert mine[0].source.startswith(f"### Exercise {ex.number}"), label
        answers = mine[1:]
        assert answers, f"{label}: no cell to answer in"
        if ex.region_cells:
            assert sum("exercise" in tags(c) for c in answers) == len(ex.region_cells), label
        if ex.asks_for_prose:
            assert any(c.cell_type == "markdown" and "answer" in tags(c) for c in answers), label
    setup = [c.source for c in chapter.cells if c.cell_type == "code" and "google.colab" in c.source]
    assert setup == [c.source for c in nb.cells if c.cell_type == "code" and "google.colab" in c.source], (
        "the student copy installs the helper version the chapter installs"
    )


def test_the_committed_student_edition_is_in_step_with_the_chapters():
    stale = []
    for path in CHAPTERS:
        committed = EDITION / path.name
        fresh = json.loads(nbformat.writes(student.student_notebook(path)))
        if not committed.exists() or json.loads(committed.read_text(encoding="utf-8")) != fresh:
            stale.append(path.name)
    extra = sorted({p.name for p in EDITION.glob("*.ipynb")} - {p.name for p in CHAPTERS})
    assert not stale and not extra, (
        f"student_edition/ is out of step ({', '.join(stale + extra)}): regenerate it with "
        "`rm -f student_edition/*.ipynb && .venv/bin/python -m rnnbook.student student_edition/`"
    )


def test_every_exercise_has_points_time_difficulty_and_goal():
    from rnnbook import catalog

    assert not catalog.missing_entries(REPO), "add these exercises to rnnbook.catalog.EXERCISES"


# --- "fails only at the exercise cells", without re-running every chapter ------------------------
#
# The chapter itself runs under nbval. The student edition's code before the first exercise is
# the chapter's code, verbatim (test below), so it runs as the chapter does. After it, the
# student edition has only answer cells and chapter cells that use no name that a removed
# solution defined (checked on the syntax tree); every exercise cell raises at its stub. The
# cheap chapters also run end to end, through the report command.


def first_exercise(cells) -> int:
    return next(
        i for i, c in enumerate(cells) if c.metadata.get(student.EXERCISE_KEY) or "exercise" in tags(c)
    )


def _parse(source: str):
    from IPython.core.inputtransformer2 import TransformerManager  # %magics become Python

    return ast.parse(TransformerManager().transform_cell(source))


def bound_names(source: str) -> set:
    names = set()
    for node in ast.walk(_parse(source)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def loaded_names(source: str) -> set:
    return {n.id for n in ast.walk(_parse(source)) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_student_chapter_fails_only_at_the_exercises(path):
    chapter = nbformat.read(path, as_version=4)
    nb = student.student_notebook(path)
    chapter_code = [c.source for c in chapter.cells if c.cell_type == "code"]
    student_code = [c for c in nb.cells if c.cell_type == "code"]
    start = first_exercise(student_code)
    assert [c.source for c in student_code[:start]] == chapter_code[:start], (
        "the code before the exercises changed"
    )

    parsed = student.parse(chapter.cells, student.chapter_number(path), str(path))
    solution_code = "\n\n".join(c.source for ex in parsed.exercises.values() for c in ex.code)
    kept = set().union(*(bound_names(c.source) for c in student_code)) | set(dir(builtins))
    only_in_solutions = bound_names(solution_code) - kept
    for cell in student_code[start:]:
        if "exercise" in tags(cell):
            assert "raise NotImplementedError()" in cell.source, cell.source
            tree = _parse(cell.source)
            top_level_raise = any(isinstance(node, ast.Raise) for node in tree.body)
            called = {
                n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
            }
            called |= {
                n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
            }
            stubbed = {  # a top-level function or class whose body holds the stub, used in the cell
                n.name
                for n in tree.body
                if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and "NotImplementedError" in ast.unparse(n)
            }
            assert top_level_raise or stubbed & called, (
                f"the stub of this cell is never reached:\n{cell.source}"
            )
        elif "answer" not in tags(cell):
            used = loaded_names(cell.source) & only_in_solutions
            assert not used, (
                f"a student cell uses {sorted(used)}, defined only in a removed solution:\n{cell.source}"
            )


# Two NumPy chapters that run in seconds in the quick profile, end to end.
CHEAP = [p for p in CHAPTERS if p.stem in {"02_backprop_through_time", "04_char_rnn_numpy"}]


@pytest.mark.parametrize("path", CHEAP, ids=lambda p: p.stem)
def test_cheap_student_chapters_run_to_the_end_and_report_every_exercise(path, tmp_path):
    target = student.make_student_edition(path, tmp_path)
    found = assignments.results(assignments.run_submission(target))
    exercises = [c for c in student.student_notebook(path).cells if "exercise" in tags(c)]
    assert [name for name, _ in found] == [
        c.metadata.get(student.EXERCISE_KEY, "exercise") for c in exercises
    ]
    assert all(error for _, error in found), found  # every stub fails, and nothing else does


def test_report_runs_past_a_wrong_answer_and_summarises(tmp_path, capsys):
    meta = {"tags": ["exercise"]}
    nb = notebook(
        new_code_cell("assert 1 + 1 == 3, 'wrong sum'", metadata={**meta, student.EXERCISE_KEY: "ex-wrong"}),
        new_code_cell("x = 2", metadata={**meta, student.EXERCISE_KEY: "ex-right"}),
        new_code_cell("print(x)"),
    )
    nbformat.write(nb, tmp_path / "hand_in.ipynb")
    assert assignments.main(["report", str(tmp_path / "hand_in.ipynb")]) == 1
    out = capsys.readouterr().out
    assert "ex-wrong" in out and "FAILED  AssertionError: wrong sum" in out
    assert "ex-right" in out and "1 of 2 checked exercises passed" in out


def test_student_edition_shows_glued_numbers_as_the_book_does():
    """Colab and Jupyter do not render {glue:text} roles: the student edition writes the values."""
    from rnnbook import student

    values = {"gap": "0.123456", "best": "'lzma'", "n": "42"}
    filled = student.fill_glue("gap {glue:text}`gap:.2f`, {glue:text}`best` wins, {glue}`n` runs", values)
    assert filled == "gap 0.12, lzma wins, 42 runs"
    with pytest.raises(ValueError, match="no stored output glues 'gone'"):
        student.fill_glue("{glue:text}`gone:.1f`", values)


def test_no_glue_role_is_left_in_the_committed_student_edition():
    for path in sorted((REPO / "student_edition").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        assert "{glue" not in text, f"{path.name} shows a raw glue role"


def test_no_cell_of_the_student_edition_is_folded():
    """The chapters fold their solutions; the answer cells made from them must be open."""
    for path in chapter_notebooks(REPO):
        nb = student.student_notebook(path)
        folded = [i for i, c in enumerate(nb.cells) if c.metadata.get("jupyter", {}).get("source_hidden")]
        folded += [i for i, c in enumerate(nb.cells) if "cellView" in c.metadata]
        assert not folded, f"{path.name}: cells {folded} are folded"


# --- mutation testing (issue 16): values the surviving mutants of rnnbook.student changed ------


@pytest.mark.parametrize(
    ("name", "number"),
    [
        ("04_char_rnn_numpy", "4"),
        ("10_attention_x", "10"),
        ("appendix", "appendix"),
        ("intro_04", "intro_04"),
    ],
)
def test_chapter_number_is_the_leading_number_without_zeros(name, number):
    assert student.chapter_number(Path(f"chapters/{name}.ipynb")) == number


def test_exercise_markdown_with_and_without_a_title_and_with_references():
    first = student.Exercise("ex-a", "Sum", "Compare with {ref}`ex-b`.", "2.1")
    second = student.Exercise("ex-b", "", "Plain text.", "2.2")
    exercises = {"ex-a": first, "ex-b": second}
    assert (
        student.exercise_markdown(first, exercises) == "### Exercise 2.1: Sum\n\nCompare with Exercise 2.2."
    )
    assert student.exercise_markdown(second, exercises) == "### Exercise 2.2\n\nPlain text."


def test_references_to_other_targets_keep_their_text_or_their_label():
    text = "See {ref}`the sum <sec-sum>`, {ref}`sec-loss` and {numref}`fig-x`."
    assert student.plain_refs(text, {}) == "See the sum, `sec-loss` and `fig-x`."


def test_a_solution_of_code_without_regions_becomes_an_empty_code_cell_and_a_prose_cell():
    stdout = nbformat.from_dict({"output_type": "stream", "name": "stdout", "text": "3\n"})
    done = new_code_cell("total = 1 + 2", outputs=[stdout])
    ex = student.Exercise("ex:code 1", "T", "Write it.", "3.1", code=[done], solved=True)
    cell, prose = student.answer_cells(ex)  # no region to stub: the answer is code and words
    assert prose.source == "**Your answer to Exercise 3.1:** *Your answer here.*"
    assert cell.cell_type == "code" and cell.source == "# YOUR CODE HERE"
    assert cell.metadata["tags"] == ["answer"] and cell.metadata[student.EXERCISE_KEY] == "ex:code 1"
    assert cell["id"] == "ex-code-1-code"
    assert cell.outputs == [] and cell.execution_count is None


def test_a_stubbed_region_cell_leaves_the_chapters_cell_as_it_was():
    cell = new_code_cell(CODE, metadata={"tags": ["keep"]}, execution_count=3)
    ex = student.Exercise("demo-add", "Add", "Write `add`.", "1.1", code=[cell], solved=True)
    (stub,) = student.answer_cells(ex)
    assert stub.metadata["tags"] == ["keep", "exercise"] and stub.execution_count is None
    assert "raise NotImplementedError()" in stub.source
    assert cell.metadata == {"tags": ["keep"]} and cell.source == CODE and cell.execution_count == 3


def test_cell_ids_keep_letters_digits_and_dashes_and_at_most_64_characters():
    cell = student.cell_with_id(new_markdown_cell("x"), "Ex 2.1:Code_x-y")
    assert cell["id"] == "Ex-2-1-Code_x-y"
    assert student.cell_with_id(new_markdown_cell("x"), "A" * 70)["id"] == "A" * 64


def test_unique_ids_number_the_copies_of_a_split_cell():
    cells = [new_markdown_cell(str(i)) for i in range(6)]
    for cell, cell_id in zip(cells, ["a", "a", "b", "a", "L" * 70, "L" * 70], strict=True):
        cell["id"] = cell_id
    nameless = [new_markdown_cell("n1"), new_markdown_cell("n2")]
    for cell in nameless:
        cell.pop("id", None)
    ids = [cell.get("id") for cell in student.unique_ids(cells + nameless)]
    assert ids == ["a", "a-2", "b", "a-3", "L" * 70, "L" * 58 + "-2", None, "cell-2"]


def glue_output(name, data):
    output = {"output_type": "display_data", "data": data, "metadata": {"scrapbook": {"name": name}}}
    return nbformat.from_dict(output)


def test_glued_values_join_stored_lines_and_default_to_empty():
    nb = {
        "cells": [
            {"cell_type": "markdown", "source": "m"},
            {
                "cell_type": "code",
                "outputs": [
                    glue_output("lines", {"text/plain": ["0.1", "25"]}),
                    glue_output("text", {"application/x.scrapbook+text/plain": "'abc'"}),
                    glue_output("image_only", {"image/png": "iVBOR"}),
                    {"output_type": "stream", "name": "stdout", "text": "not glued"},
                    {"output_type": "display_data", "metadata": {"scrapbook": {"name": "no_data"}}},
                ],
            },
        ]
    }
    assert student.glued_values(nb) == {"lines": "0.125", "text": "'abc'", "image_only": "", "no_data": ""}


def test_fill_glue_formats_values_and_names_a_missing_role():
    values = {"gap": "0.12345", "word": "plain words", "name": "'Alice'"}
    source = "gap {glue:text}`gap:+.2f`, {glue}`word`, {glue:text}`name`"
    assert student.fill_glue(source, values) == "gap +0.12, plain words, Alice"
    with pytest.raises(ValueError) as info:
        student.fill_glue("x {glue:text}`lost:.1f` y", values)
    assert str(info.value) == "glue role '{glue:text}`lost:.1f`': no stored output glues 'lost' (re-execute)"


def _chapter_file(tmp_path, *cells, name="03_demo.ipynb"):
    path = tmp_path / "chapters" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook(*cells), path)
    return path


def test_student_notebook_fills_markdown_only_unfolds_cells_and_drops_the_stamp(tmp_path):
    shown = new_code_cell(
        "print('{glue}`gap`')",
        outputs=[glue_output("gap", {"text/plain": "0.5"})],
        metadata={"cellView": "form", "jupyter": {"source_hidden": True}},
    )
    other = new_code_cell("1", metadata={"jupyter": {"source_hidden": True, "outputs_hidden": True}})
    path = _chapter_file(tmp_path, new_markdown_cell("The gap is {glue}`gap`."), shown, other)
    nb = student.student_notebook(path)
    assert [cell.source for cell in nb.cells] == ["The gap is 0.5.", "print('{glue}`gap`')", "1"]
    assert "cellView" not in nb.cells[1].metadata and "jupyter" not in nb.cells[1].metadata
    assert nb.cells[2].metadata["jupyter"] == {"outputs_hidden": True}
    assert STAMP_KEY not in nb.metadata
    target = student.make_student_edition(path, tmp_path)
    assert target == tmp_path / "03_demo.ipynb"
    assert nbformat.read(target, as_version=4) == nb


def test_student_notebook_errors_name_the_chapter_file(tmp_path):
    path = _chapter_file(tmp_path, new_markdown_cell(directive("```", "solution-end")))
    with pytest.raises(student.UnrecognisedSolutionError) as info:
        student.student_notebook(path)
    assert str(info.value) == f"{path}, cell 0: solution-end without solution-start"
    with pytest.raises(student.UnrecognisedSolutionError, match=r"^notebook, cell 0: solution-end"):
        student.student_cells(nbformat.read(path, as_version=4).cells)


def test_exercise_numbers_follow_the_chapter_number_of_the_file(tmp_path):
    path = _chapter_file(tmp_path, exercise(), name="07_demo.ipynb")
    assert student.student_notebook(path).cells[0].source.startswith("### Exercise 7.1: Add")


def test_command_line_messages(tmp_path, monkeypatch, capsys):
    source = _chapter_file(tmp_path, new_markdown_cell("text"))

    def error_of(argv):
        with pytest.raises(SystemExit) as info:
            student.main(argv)
        assert info.value.code == 2
        return capsys.readouterr().err.strip().splitlines()[-1]

    missing = [str(tmp_path / "a.ipynb"), str(tmp_path / "b.ipynb")]
    assert error_of([str(tmp_path / "out"), *missing]) == (
        f"python -m rnnbook.student: error: no such notebook: {missing[0]}, {missing[1]}"
    )
    assert error_of([str(source.parent), str(source)]) == (
        "python -m rnnbook.student: error: OUTDIR must not be the chapters' folder: "
        "it would overwrite the solutions"
    )
    monkeypatch.chdir(tmp_path / "chapters")  # no chapters/ folder below the current one
    assert error_of([str(tmp_path / "out")]) == (
        "python -m rnnbook.student: error: no notebooks given and none found under ./chapters"
    )
    with pytest.raises(SystemExit):
        student.main(["--help"])
    usage = capsys.readouterr().out
    assert usage.startswith("usage: python -m rnnbook.student [-h] outdir [notebooks ...]")
    assert "Write the student edition: python -m rnnbook.student OUTDIR [NB ...]." in usage
    assert "folder for the student notebooks" in usage and "default: every chapter" in usage


def test_command_finds_the_chapters_creates_nested_folders_and_reports_sizes(tmp_path, monkeypatch, capsys):
    _chapter_file(tmp_path, new_markdown_cell("one " * 800), name="01_a.ipynb")  # about 3 KiB
    _chapter_file(tmp_path, new_markdown_cell("two"), name="02_b.ipynb")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "edition" / "nested"
    for _ in range(2):  # an existing folder is fine too
        assert student.main([str(out)]) == 0
        lines = capsys.readouterr().out.splitlines()
        expected = [
            f"{out / n}  ({(out / n).stat().st_size / 1024:.0f} KiB)" for n in ("01_a.ipynb", "02_b.ipynb")
        ]
        assert lines == expected
    assert lines[0].endswith("  (3 KiB)")  # the size is divided by 1024, not multiplied


@pytest.mark.parametrize(
    ("body", "options", "content"),
    [
        (
            "---\nclass: dropdown\nlabel: ex-y\n---\nThe text\nmore",
            {"class": "dropdown", "label": "ex-y"},
            "The text\nmore",
        ),
        ("---\nurl: http://x.org\n---\n\nText", {"url": "http://x.org"}, "Text"),
        ("---\n---\nrest", {}, "rest"),
        ("---\nnot closed", {}, "---\nnot closed"),
        ("text\n---\nmore", {}, "text\n---\nmore"),
        (":label: ex-z\n:class: tip\nBody", {"label": "ex-z", "class": "tip"}, "Body"),
    ],
)
def test_split_options_reads_yaml_blocks_and_option_lines(body, options, content):
    assert student.split_options(body) == (options, content)


def test_segments_have_no_empty_text_pieces_around_directives():
    source = "```{exercise} T\nbody\n```\nmiddle\n```{note}\nN\n```"
    kinds = [(name, piece if name is None else piece["arg"]) for name, piece in student.segments(source)]
    assert kinds == [("exercise", "T"), (None, "middle\n"), ("note", "")]


def test_text_around_other_directives_is_kept_exactly():
    nb = notebook(new_markdown_cell("Intro\n```{figure} x.png\nN\n```\nOutro"))
    assert [cell.source for cell in student.student_cells(nb.cells, "1")] == [
        "Intro\n```{figure} x.png\nN\n```\nOutro"
    ]


def test_an_admonition_becomes_its_own_quoted_paragraphs():
    nb = notebook(new_markdown_cell("Intro\n```{note}\nN\n```\nOutro"))
    assert [cell.source for cell in student.student_cells(nb.cells, "1")] == [
        "Intro\n\n**Note**\n\n> N\n\nOutro"
    ]


def unlabelled_exercise(title):
    return new_markdown_cell(directive("```", "exercise", title, "", "Do it."))


def test_parse_numbers_exercises_and_labels_them_by_position_by_default():
    cells = [
        unlabelled_exercise("A"),
        unlabelled_exercise("B"),
        new_markdown_cell(directive("```", "solution", "exercise-2", "", "Sol B")),
    ]
    parsed = student.parse(cells)
    assert list(parsed.exercises) == ["exercise-1", "exercise-2"]
    assert [ex.number for ex in parsed.exercises.values()] == ["1", "2"]
    first, second = parsed.exercises.values()
    # The unsolved first exercise gets its answer right after it; the second has exactly one.
    assert parsed.items == [("exercise", first), ("answer", first), ("exercise", second), ("answer", second)]
    assert second.solved and second.prose == ["Sol B"] and not first.solved
    assert student.student_cells(cells)[0].source == "### Exercise 1: A\n\nDo it."
    assert student.parse(cells, "5").exercises["exercise-1"].number == "5.1"


def test_parse_items_for_a_gated_solution_and_a_region_outside_any_solution():
    plain = new_code_cell(
        "x = 1",
        execution_count=1,
        outputs=[nbformat.from_dict({"output_type": "stream", "name": "stdout", "text": "1\n"})],
    )
    region = new_code_cell(CODE)
    cells = [
        exercise(),
        new_markdown_cell(directive("```", "solution-start", "demo-add")),
        new_code_cell("done = 1"),
        new_markdown_cell(directive("```", "solution-end")),
        plain,
        region,
    ]
    parsed = student.parse(cells)
    ex = parsed.exercises["demo-add"]
    assert [kind for kind, _ in parsed.items] == ["exercise", "answer", "cell", "stub"]
    assert parsed.items[1][1] is ex and ex.solved and [c.source for c in ex.code] == ["done = 1"]
    kept = student.student_cells(cells, "2")
    assert kept[-2].source == "x = 1" and kept[-2].outputs and "tags" not in kept[-2].metadata
    assert kept[-1].metadata["tags"] == ["exercise"] and student.EXERCISE_KEY not in kept[-1].metadata
    assert "raise NotImplementedError()" in kept[-1].source


ABOVE = "expected the label of an exercise above it"


def solution_start(label):
    return new_markdown_cell(directive("```", "solution-start", label))


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (
            lambda: [exercise(), new_markdown_cell(directive("```", "solution", ""))],
            f"notebook, cell 1: solution for '(no label)', {ABOVE} (known: demo-add)",
        ),
        (
            lambda: [new_markdown_cell("x"), solution_start("ex-q")],
            f"notebook, cell 1: solution for 'ex-q', {ABOVE} (known: none)",
        ),
        (
            lambda: [exercise(), exercise(label="b"), new_markdown_cell(directive("```", "solution", "zz"))],
            f"notebook, cell 2: solution for 'zz', {ABOVE} (known: demo-add, b)",
        ),
        (
            lambda: [exercise(), solution_start("demo-add"), exercise(label="b")],
            "notebook, cell 2: an exercise inside an open solution",
        ),
        (
            lambda: [exercise(), solution_start("demo-add"), solution_start("demo-add")],
            "notebook, cell 2: solution-start inside an open solution",
        ),
        (
            lambda: [exercise(), solution_start("demo-add")],
            "notebook: the solution of 'demo-add' has no solution-end",
        ),
    ],
)
def test_parse_errors_say_where_and_what(cells, message):
    with pytest.raises(student.UnrecognisedSolutionError) as info:
        student.parse(cells())
    assert str(info.value) == message


def test_exercise_texts_in_the_edition_name_referenced_exercises():
    cells = [exercise(), exercise(label="b", text="Extend {ref}`demo-add`.")]
    assert student.student_cells(cells, "6")[2].source == "### Exercise 6.2: Add\n\nExtend Exercise 6.1."


def test_a_leftover_marker_error_quotes_the_first_300_characters():
    source = "A stray {solution} marker. " + "x" * 400
    with pytest.raises(student.UnrecognisedSolutionError) as info:
        student.student_cells([new_markdown_cell(source)], where="ch.ipynb")
    assert str(info.value) == (
        "ch.ipynb: student cell 0 still holds a solution marker the parser does not recognise; "
        f"fix the chapter's syntax (nothing was written):\n{source[:300]}"
    )


def test_a_notebook_without_a_stamp_is_fine(tmp_path):
    path = tmp_path / "chapters" / "02_x.ipynb"
    path.parent.mkdir()
    nbformat.write(new_notebook(cells=[new_markdown_cell("hello")]), path)
    assert [cell.source for cell in student.student_notebook(path).cells] == ["hello"]


def test_command_help_lines(capsys):
    import re

    with pytest.raises(SystemExit):
        student.main(["--help"])
    usage = capsys.readouterr().out
    assert re.search(r"^  outdir +folder for the student notebooks$", usage, re.M)
    assert re.search(r"^  notebooks +default: every chapter$", usage, re.M)


def test_admonitions_become_a_bold_title_over_a_quote_and_other_directives_stay():
    source = (
        "Intro.\n\n```{admonition} Learning goals\n:class: tip\nAfter this chapter you can\n\n"
        "- do a;\n- do b.\n```\n\n:::{note}\nMind the gap.\n:::\n\n```{figure} x.png\nCaption\n```\n"
    )
    plain = student.plain_admonitions(source)
    assert "**Learning goals**\n\n> After this chapter you can\n>\n> - do a;\n> - do b.\n" in plain
    assert "**Note**\n\n> Mind the gap.\n" in plain
    assert "{admonition}" not in plain and ":class:" not in plain and "{note}" not in plain
    assert "```{figure} x.png\nCaption\n```" in plain  # not an admonition: left as it is
    assert plain.startswith("Intro.\n\n")


def test_no_student_notebook_shows_a_raw_admonition():
    for path in CHAPTERS:
        for cell in student.student_notebook(path).cells:
            if cell.cell_type == "markdown":
                assert "{admonition}" not in cell.source, f"{path.stem}: {cell.source[:80]}"
