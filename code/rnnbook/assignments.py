"""nbgrader assignments from the chapters, and a report for handed-in notebooks.

``python -m rnnbook.assignments write COURSE [NB ...]`` writes an nbgrader course
folder: ``COURSE/source/chNN/<chapter>.ipynb`` for each chapter and, when missing,
``COURSE/nbgrader_config.py``. Then, in ``COURSE``, nbgrader does the rest:
``nbgrader generate_assignment chNN``, collect into ``submitted/<student>/chNN/``,
``nbgrader autograde chNN``.

In each assignment notebook (parsed like the student edition, ``rnnbook.student``):

* a locked cell after the setup cell sets ``RNNBOOK_PROFILE=quick``, so every cell runs
  in seconds, far inside nbgrader's 30 s per-cell timeout (``Execute.timeout``);
* a code exercise's answer (up to its ``### END SOLUTION``) is an nbgrader *solution*
  cell; the checker call after it is a separate *locked, graded* test cell worth the
  exercise's points (``rnnbook.catalog.EXERCISES``). Autograde restores a locked cell
  that a student edited, so editing a checker gains nothing;
* code without a checker and written answers are *manually graded* answer cells whose
  solutions (code and prose) nbgrader removes from the release;
* every other code cell is locked (read-only).

``python -m rnnbook.assignments report NB [NB ...]`` runs handed-in notebooks (student
edition or nbgrader release) to the end whatever fails, each in its own temporary
folder so that parallel runs never share a run folder, and prints every exercise's
result, by the number the student sees ("Exercise 2.2"), with a summary; a written
answer still holding its placeholder is flagged as not answered.
"""

from __future__ import annotations

import argparse
import copy
import os
import re
import sys
import tempfile
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell

from rnnbook import student
from rnnbook.catalog import exercise_points
from rnnbook.execute import STAMP_KEY, chapter_notebooks
from rnnbook.profiles import PROFILE_ENV, PROFILES

CELL_TIMEOUT = 30  # seconds; nbgrader's default Execute.timeout, written into the config
_CHECKER = re.compile(r"\bcheck_\w+\s*\(")
CONFIG = f"""\
# nbgrader configuration written by `python -m rnnbook.assignments write`.
c = get_config()  # noqa: F821 (nbgrader provides it)
# Each cell may run this long (seconds). The assignments set the quick profile, whose
# cells take seconds; raise it only for notebooks you switched to another profile.
c.Execute.timeout = {CELL_TIMEOUT}
"""


def profile_cell(profile: str) -> nbformat.NotebookNode:
    return new_code_cell(
        f"# Assignment setting (locked): the {profile!r} profile keeps every cell well inside\n"
        "# the grader's time limit per cell.\n"
        "import os\n\n"
        f'os.environ["{PROFILE_ENV}"] = "{profile}"'
    )


def nbgrader_meta(grade_id: str, *, solution=False, grade=False, locked=False, points=None) -> dict:
    """nbgrader's cell metadata (schema 3): solution, graded test, or read-only cell."""
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution}
    meta["task"] = False
    if grade:
        meta["points"] = points
    return meta


def split_checker(source: str) -> tuple[str, str] | None:
    """``(answer, checker)``: the cell up to the end of its solution, and the top-level code
    after it, when that code calls a checker; ``None`` when it does not."""
    lines = source.split("\n")
    end = max(i for i, line in enumerate(lines) if student.END in line)
    for j in range(end + 1, len(lines)):
        if lines[j].strip() and not lines[j][0].isspace():  # first top-level statement after it
            answer, rest = "\n".join(lines[:j]).rstrip(), "\n".join(lines[j:]).strip()
            return (answer, rest) if _CHECKER.search(rest) else None
    return None


def _mark(cell, **meta):
    cell.metadata["nbgrader"] = nbgrader_meta(**meta)
    student.cell_with_id(cell, meta["grade_id"])  # reproducible ids: the grade id is unique
    if cell.cell_type == "code":
        cell.outputs, cell.execution_count = [], None
    return cell


def graded_cells(ex: student.Exercise, points: float) -> list:
    """The answer and test cells of one exercise, the exercise's points split among them."""
    answers, graded = [], []  # graded: cells that carry points
    for n, cell in enumerate(ex.region_cells):
        parts = split_checker(cell.source)
        if parts is None:
            graded.append(
                _mark(copy.deepcopy(cell), grade_id=f"{ex.label}-code{n}", solution=True, grade=True)
            )
            answers.append(graded[-1])
            continue
        answers.append(_mark(new_code_cell(parts[0]), grade_id=f"{ex.label}-answer{n}", solution=True))
        graded.append(
            _mark(new_code_cell(parts[1]), grade_id=f"{ex.label}-check{n}", grade=True, locked=True)
        )
        answers.append(graded[-1])
    if ex.code and not ex.region_cells:  # code without regions: nbgrader clears the whole cell
        code = new_code_cell("\n\n\n".join(cell.source for cell in ex.code))
        graded.append(_mark(code, grade_id=f"{ex.label}-code", solution=True, grade=True))
        answers.append(code)
    if ex.asks_for_prose:
        prose = "\n\n".join(text.strip() for text in ex.prose if text.strip()) or student.PROSE_STUB
        graded.append(
            _mark(new_markdown_cell(prose), grade_id=f"{ex.label}-prose", solution=True, grade=True)
        )
        answers.append(graded[-1])
    for cell in graded:
        cell.metadata["nbgrader"]["points"] = round(points / len(graded), 2)
    for cell in answers:
        cell.metadata[student.EXERCISE_KEY] = ex.label
    return answers


def assignment_cells(cells: list, chapter: str, where: str, profile: str) -> list:
    """The cells of an nbgrader source notebook (see the module docstring)."""
    parsed = student.parse(cells, chapter, where)
    out, count = [], 0
    for kind, thing in parsed.items:
        if kind == "cell":
            if thing.cell_type == "code":
                count += 1
                _mark(thing, grade_id=f"locked{count}", locked=True)
            else:
                thing.source = student.plain_refs(thing.source, parsed.exercises)
            out.append(thing)
            if thing.cell_type == "code" and "google.colab" in thing.source:
                out.append(_mark(profile_cell(profile), grade_id="profile", locked=True))
        elif kind == "stub":
            count += 1
            out.append(_mark(thing, grade_id=f"solution{count}", solution=True))
        elif kind == "exercise":
            text = new_markdown_cell(student.exercise_markdown(thing, parsed.exercises))
            out.append(_mark(text, grade_id=f"{thing.label}-text", locked=True))
        else:
            out.extend(graded_cells(thing, exercise_points(thing.label)))
    if not any(c.metadata.get("nbgrader", {}).get("grade_id") == "profile" for c in out):
        out.insert(0, _mark(profile_cell(profile), grade_id="profile", locked=True))
    return student.unique_ids(out)


def assignment_name(path: Path) -> str:
    return f"ch{student.chapter_number(path).zfill(2)}"


def assignment_notebook(path: Path, profile: str = "quick") -> nbformat.NotebookNode:
    """The nbgrader source version of one chapter, in memory."""
    nb = nbformat.read(path, as_version=4)
    nb.cells = assignment_cells(nb.cells, student.chapter_number(path), str(path), profile)
    nb.metadata.pop(STAMP_KEY, None)
    nbformat.validator.normalize(nb)
    nbformat.validate(nb)
    return nb


def write_course(
    course: Path, notebooks: list[Path], profile: str = "quick", force: bool = False
) -> list[Path]:
    """Write ``course/source/chNN/<chapter>.ipynb`` for each chapter (and a config if missing).

    Raises FileExistsError, before writing anything, when a source notebook already there
    differs from the new one (an instructor may have edited it) and ``force`` is false.
    """
    made = {path: assignment_notebook(path, profile) for path in notebooks}  # all parsed first
    targets = {path: course / "source" / assignment_name(path) / path.name for path in notebooks}
    changed = [
        str(target)
        for path, target in targets.items()
        if target.exists() and target.read_text(encoding="utf-8") != nbformat.writes(made[path]) + "\n"
    ]
    if changed and not force:
        raise FileExistsError(f"would overwrite {', '.join(changed)}; move them away or pass --force")
    for path, nb in made.items():
        targets[path].parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, targets[path])
    config = course / "nbgrader_config.py"
    if not config.exists():
        config.write_text(CONFIG, encoding="utf-8")
    return list(targets.values())


# --- report on a handed-in notebook -------------------------------------------------------


def _exercise_of(cell) -> str | None:
    nbgrader = cell.metadata.get("nbgrader", {})
    if nbgrader.get("grade") and cell.cell_type == "code":
        return cell.metadata.get(student.EXERCISE_KEY) or nbgrader.get("grade_id")
    if "exercise" in cell.metadata.get("tags", []):
        return cell.metadata.get(student.EXERCISE_KEY) or "exercise"
    return None


def run_submission(path: Path, profile: str = "quick", timeout: int = 600) -> nbformat.NotebookNode:
    """Execute a copy of ``path`` to the end, errors recorded, in a fresh temporary folder.

    The kernel talks to this process over Unix sockets in that folder (IPC transport), not
    over unencrypted local TCP ports, which ipykernel warns about on every start.
    """
    from nbclient import NotebookClient
    from traitlets.config import Config

    nb = nbformat.read(path, as_version=4)
    env = dict(os.environ, **{PROFILE_ENV: profile})
    with tempfile.TemporaryDirectory(prefix="rnnbook-grade-") as folder:
        sockets = Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(folder, "kernel")}})
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            allow_errors=True,
            resources={"metadata": {"path": folder}},
            config=sockets,
        )
        client.execute(env=env)
    return nb


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def results(nb: nbformat.NotebookNode) -> list[tuple[str, str | None]]:
    """``(exercise, None | "ErrorName: message")`` for every checked exercise cell, and
    ``("cell N", error)`` for any other cell that failed without being meant to."""
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
        error = f"{errors[0].ename}: {_first_line(errors[0].evalue)}" if errors else None
        exercise = _exercise_of(cell)
        if exercise is not None:
            found.append((exercise, error))
        elif error and "raises-exception" not in cell.metadata.get("tags", []):
            found.append((f"cell {index}", error))
    return found


# A written answer's placeholder: the student edition's, and the one nbgrader's release puts
# in place of a removed Markdown solution (``ClearSolutions.text_stub``).
ANSWER_PLACEHOLDERS = (student.PROSE_STUB, "YOUR ANSWER HERE")
_EXERCISE_HEADING = re.compile(r"^#+[ \t]+Exercise[ \t]+(\d+(?:\.\d+)*)\b")
_ANSWER_PROMPT = re.compile(r"^\*\*Your answer to Exercise [^*]*:\*\*")  # the student edition's


def _label_of(cell) -> str | None:
    """The label of the exercise a cell belongs to (student edition or nbgrader notebook)."""
    label = cell.metadata.get(student.EXERCISE_KEY)
    grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
    return label or (grade_id.removesuffix("-text") if grade_id.endswith("-text") else None)


def exercise_names(nb: nbformat.NotebookNode) -> dict[str, str]:
    """``{label: "Exercise 2.2"}``: each exercise by the number its heading shows the student."""
    names = {}
    for cell in nb.cells:
        match = _EXERCISE_HEADING.match(cell.source) if cell.cell_type == "markdown" else None
        label = _label_of(cell)
        if match and label:
            names[label] = f"Exercise {match[1]}"
    return names


def _is_written_answer(cell) -> bool:
    nbgrader = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "markdown" and (
        "answer" in cell.metadata.get("tags", []) or bool(nbgrader.get("solution"))
    )


def unanswered(nb: nbformat.NotebookNode) -> list[str]:
    """The labels of the exercises whose written answer is still only its placeholder, in order."""
    return [
        _label_of(cell) or "exercise"
        for cell in nb.cells
        if _is_written_answer(cell)
        and _ANSWER_PROMPT.sub("", cell.source.strip()).strip() in ANSWER_PLACEHOLDERS
    ]


def _cell_index(name: str) -> int:
    """N for a row named "cell N" (a failed cell outside the exercises); 0 otherwise."""
    return int(name.split()[1]) if re.fullmatch(r"cell \d+", name) else 0


def report(path: Path, profile: str = "quick") -> int:
    """Print every exercise's result for one handed-in notebook; returns the problems found.

    Rows name exercises as the student sees them ("Exercise 2.2"). A problem is a checked
    exercise or another cell that failed, or a written answer left as its placeholder
    ("NOT ANSWERED"); written answers that were filled in are for the instructor to read.
    """
    nb = run_submission(path, profile)
    names = exercise_names(nb)
    found = results(nb)
    blank = unanswered(nb)
    rows = [
        (label, names.get(label, label), "passed" if error is None else f"FAILED  {error}")
        for label, error in found
    ] + [
        (
            label,
            f"{names.get(label, label)} (written)",
            "NOT ANSWERED  the answer cell holds only its placeholder",
        )
        for label in blank
    ]
    first = {}  # each exercise's rows together, in the notebook's order
    for index, cell in enumerate(nb.cells):
        first.setdefault(_label_of(cell), index)
    print(f"== {path}")
    for _, name, outcome in sorted(rows, key=lambda row: first.get(row[0], _cell_index(row[0]))):
        print(f"  {name:<28} {outcome}")
    passed = sum(error is None for name, error in found if not name.startswith("cell "))
    checked = sum(not name.startswith("cell ") for name, _ in found)
    summary = f"  {passed} of {checked} checked exercises passed"
    print(summary + (f"; {len(blank)} written answer(s) not answered" if blank else ""))
    return sum(error is not None for _, error in found) + len(blank)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m rnnbook.assignments", description=__doc__.splitlines()[0].replace("``", "")
    )
    commands = parser.add_subparsers(dest="command", required=True)
    write = commands.add_parser("write", help="write nbgrader source notebooks into a course folder")
    write.add_argument("course", type=Path, help="the nbgrader course folder (created if missing)")
    write.add_argument("notebooks", nargs="*", type=Path, help="default: every chapter")
    write.add_argument("--profile", default="quick", help="profile the assignments run in (default: quick)")
    write.add_argument("--force", action="store_true", help="overwrite source notebooks that differ")
    grade = commands.add_parser("report", help="run handed-in notebooks to the end and report every exercise")
    grade.add_argument("notebooks", nargs="+", type=Path)
    grade.add_argument("--profile", default="quick", help="profile to run them in (default: quick)")
    args = parser.parse_args(argv)
    if args.command == "report":
        missing = [str(p) for p in args.notebooks if not p.is_file()]
        if missing:
            parser.error(f"no such notebook: {', '.join(missing)}")
        failures = sum(report(path, args.profile) for path in args.notebooks)
        return 1 if failures else 0
    notebooks = args.notebooks or chapter_notebooks(Path.cwd())
    if not notebooks:
        parser.error("no notebooks given and none found under ./chapters")
    missing = [str(p) for p in notebooks if not p.is_file()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}")
    if args.profile not in PROFILES:
        parser.error(f"--profile {args.profile!r}: expected one of {', '.join(PROFILES)}")
    try:
        written = write_course(args.course, notebooks, args.profile, args.force)
    except FileExistsError as error:
        parser.error(str(error))
    for target in written:
        print(target)
    print(f"next: cd {args.course} && nbgrader generate_assignment {assignment_name(notebooks[0])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
