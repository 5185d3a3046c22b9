"""The book as a whole: table of contents, stored outputs, Colab readiness, the HTML build, ruff."""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml
from IPython.core.inputtransformer2 import TransformerManager

from rnnbook.execute import chapter_notebooks, stamp_problems

REPO = Path(__file__).resolve().parents[1]
CHAPTERS = chapter_notebooks(REPO)
CONFIG = yaml.safe_load((REPO / "_config.yml").read_text())
BIN = Path(sys.executable).parent


def toc_files() -> list[str]:
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    return [c["file"] for part in toc["parts"] for c in part["chapters"]]


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def test_every_chapter_is_in_the_table_of_contents():
    listed = set(toc_files())
    assert CHAPTERS, "no chapters found"
    for path in CHAPTERS:
        assert f"chapters/{path.stem}" in listed, f"{path.name} is missing from _toc.yml"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_stored_outputs_come_from_the_current_code_in_the_cpu_profile(path):
    assert stamp_problems(path) == []


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_is_colab_ready(path):
    from rnnbook import colab_setup

    nb = nbformat.read(path, as_version=4)
    setup = code_cells(nb)[0]
    assert "remove-cell" in setup.metadata.get("tags", []), "the setup cell must be hidden in the book"
    ref = colab_setup.pinned_ref(setup.source)
    assert ref, "the first code cell must be the Colab setup cell (python -m rnnbook.execute writes it)"
    assert setup.source == colab_setup.render(CONFIG["repository"]["url"], ref).rstrip("\n")
    assert re.fullmatch(r"[0-9a-f]{40}", ref), f"the setup cell must pin a commit, not {ref!r}"
    known = subprocess.run(["git", "cat-file", "-e", f"{ref}^{{commit}}"], cwd=REPO, capture_output=True)
    shallow = (REPO / ".git" / "shallow").exists()
    assert known.returncode == 0 or shallow, f"the setup cell pins {ref}, which this repository lacks"
    for cell in code_cells(nb):  # every cell parses, as IPython reads it (magics included)
        ast.parse(TransformerManager().transform_cell(cell.source))
        assert "../" not in cell.source, "a chapter must not read another folder's files"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_training_chapters_ask_colab_for_a_gpu_and_report_their_device(path):
    nb = nbformat.read(path, as_version=4)
    code = "\n".join(c.source for c in code_cells(nb))
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert "profiles.show(" in code, "a chapter prints the profile in force"
    if "keras_setup" in code:
        assert nb.metadata.get("accelerator") == "GPU"
        assert "keras_setup.describe()" in code, "a Keras chapter prints the device it found"


def test_data_urls_and_checksums_are_the_documented_ones():
    from rnnbook.data import CORPORA

    documented = (REPO / "data" / "README.md").read_text(encoding="utf-8")
    for corpus in CORPORA.values():
        assert corpus.url in documented and corpus.sha256 in documented, corpus.name
    for path in CHAPTERS:  # chapters load corpora through rnnbook.data, never from their own URL
        sources = "\n".join(c.source for c in code_cells(nbformat.read(path, as_version=4)))
        assert "http://" not in sources and "raw.githubusercontent" not in sources, path.name


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_has_exercises_with_solutions_and_a_checker(path):
    nb = nbformat.read(path, as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    exercises = re.findall(r"(?:`{3,}|:{3,})\{exercise\}[^\n]*\n:label: (\S+)", markdown)
    solved = set(re.findall(r"```\{solution(?:-start)?\} (\S+)", markdown))
    assert len(exercises) >= 3, f"{len(exercises)} exercises, need at least 3"
    assert set(exercises) <= solved, f"exercises without a solution: {set(exercises) - solved}"
    chapter = path.stem[:2]
    assert any(
        f"checks.ch{chapter}" in c.source or f"checks import ch{chapter}" in c.source for c in code_cells(nb)
    ), "no exercise uses a checker from rnnbook.checks"


def test_no_stored_output_has_an_error_or_a_progress_bar():
    for path in CHAPTERS:
        nb = nbformat.read(path, as_version=4)
        for cell in code_cells(nb):
            tags = cell.metadata.get("tags", [])
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    assert "raises-exception" in tags, f"{path.name}: unexpected error output"
                if output.output_type == "stream" and output.name == "stdout":
                    assert "\b" not in output.text, f"{path.name}: a progress bar with backspaces"


def test_book_builds_without_warnings(built_book):
    result, html = built_book
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    for file in ["intro", *toc_files()]:
        page = html / f"{file}.html"
        assert page.is_file(), f"{page} was not built"
        text = page.read_text(encoding="utf-8")
        assert "cdn.jsdelivr.net" not in text, f"{file}: MathJax must be served by the book, not a CDN"
    assert (html / "_static" / "mathjax" / "tex-chtml.js").is_file()


def test_ruff_is_clean_on_code_tests_and_chapters():
    lint = subprocess.run(
        [str(BIN / "ruff"), "check", "code", "tests", "chapters", "_ext", "conftest.py"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    # The package and tests are also formatted by ruff; chapters are formatted for reading, by hand.
    style = subprocess.run(
        [str(BIN / "ruff"), "format", "--check", "code", "tests", "_ext", "conftest.py"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert style.returncode == 0, style.stdout + style.stderr


def test_instructors_catalogue_is_current():
    from rnnbook import catalog

    page = (REPO / catalog.PAGE).read_text(encoding="utf-8")
    assert catalog.render_page(REPO) == page, "run `python -m rnnbook.catalog --write`"
    for path in CHAPTERS:
        assert f"(chapters/{path.stem})" in page


def test_instructors_table_never_shows_a_quick_run_longer_than_the_cpu_run():
    """Quick is measured below cpu, or (same sizes, chapter 1) shown as the cpu run."""
    from rnnbook import catalog

    table = catalog.catalogue(REPO)
    for path in CHAPTERS:
        row = next(line for line in table.splitlines() if f"(chapters/{path.stem})" in line)
        stamp = nbformat.read(path, as_version=4).metadata[catalog.STAMP_KEY]
        if catalog._same_sizes(f"ch{path.stem[:2]}", "quick", "cpu"):
            assert "| as `cpu` |" in row, row
        else:
            assert stamp["quick_seconds"] < stamp["seconds"], f"{path.stem}: {stamp}"


def test_html_hides_grading_markers_numbers_exercises_per_chapter_and_states_the_licences(built_book):
    result, html = built_book
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    for path in CHAPTERS:
        page = (html / "chapters" / f"{path.stem}.html").read_text(encoding="utf-8")
        for marker in ("NBVAL_CHECK_OUTPUT", "BEGIN SOLUTION", "END SOLUTION"):
            assert marker not in page, f"{path.stem}: '{marker}' is shown to readers"
        numbers = re.findall(r'<span class="caption-number">Exercise ([\d.]+) ', page)
        chapter = int(path.stem[:2])
        assert numbers == [f"{chapter}.{n}" for n in range(1, len(numbers) + 1)], f"{path.stem}: {numbers}"
        assert page.count("const THEBE_JS_URL") <= 1, f"{path.stem}: THEBE_JS_URL declared twice"
        assert "CC BY 4.0" in page and "MIT" in page, f"{path.stem}: no licence in the footer"
    # The notebooks keep their markers: nbval and the student edition need them.
    sources = "\n".join(c.source for path in CHAPTERS for c in code_cells(nbformat.read(path, as_version=4)))
    assert "### BEGIN SOLUTION" in sources


def test_keras_setup_imports_keras_without_tensorflow_start_up_lines():
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    code = "from rnnbook import keras_setup\nkeras_setup.load()\nprint('ready')"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout == "ready\n"
    assert run.stderr == "", f"TensorFlow wrote on import: {run.stderr}"
