"""nbgrader itself, end to end, on chapter 2's assignment (NumPy, seconds in the quick profile).

generate_assignment, then autograde four submissions: the solutions, a wrong answer to
the auto-graded exercise, the same wrong answer with its locked checker cell rewritten
to print "Correct!", and the release handed back unanswered.
"""

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from rnnbook import assignments, student

from .test_book import REPO

CHAPTER = REPO / "chapters" / "02_backprop_through_time.ipynb"
NAME = CHAPTER.stem
WRONG_ANSWER = (
    'grads["Whh"] += hs[:, t - 1].T @ g',
    'grads["Whh"] += hs[:, t].T @ g',
)  # the chapter's own bug


def nbgrader(course: Path, *args: str) -> None:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")  # alembic
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def submit(course: Path, student_id: str, nb) -> None:
    folder = course / "submitted" / student_id / "ch02"
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{NAME}.ipynb")


def cells_by_id(nb) -> dict:
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if "nbgrader" in c.metadata}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from nbgrader.api import Gradebook

    course = tmp_path_factory.mktemp("course")
    (source,) = assignments.write_course(course, [CHAPTER])
    nbgrader(course, "generate_assignment", "ch02")
    solutions = nbformat.read(source, as_version=4)
    release = nbformat.read(course / "release" / "ch02" / f"{NAME}.ipynb", as_version=4)

    wrong = nbformat.read(source, as_version=4)
    answer = next(c for c in wrong.cells if WRONG_ANSWER[0] in c.source)
    answer.source = answer.source.replace(*WRONG_ANSWER)
    tampered = nbformat.read(source, as_version=4)
    for cell in tampered.cells:
        if WRONG_ANSWER[0] in cell.source:
            cell.source = cell.source.replace(*WRONG_ANSWER)
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and meta.get("locked"):
            cell.source = 'print("Correct!")'
    for student_id, nb in [
        ("right", solutions),
        ("wrong", wrong),
        ("tampered", tampered),
        ("blank", release),
    ]:
        submit(course, student_id, nb)
    nbgrader(course, "autograde", "ch02", "--create")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = {
            sid: {
                g.name: (g.auto_score, g.max_score)
                for g in gradebook.find_submission_notebook(NAME, "ch02", sid).grades
            }
            for sid in ("right", "wrong", "tampered", "blank")
        }
    return solutions, release, scores


def auto_graded(scores: dict) -> dict:
    return {name: s for name, s in scores.items() if s[0] is not None}


def test_release_has_no_solutions_and_sets_the_quick_profile(graded):
    solutions, release, _ = graded
    text = "\n".join(c.source for c in release.cells)
    assert student.BEGIN not in text and WRONG_ANSWER[0] not in text
    for grade_id, cell in cells_by_id(solutions).items():
        if cell.metadata["nbgrader"]["solution"] and cell.cell_type == "markdown":
            assert cell.source not in text, f"the prose solution of {grade_id} was released"
    assert 'os.environ["RNNBOOK_PROFILE"] = "quick"' in text
    checks = [
        c for c in release.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"
    ]
    checks = [c for c in checks if c.metadata["nbgrader"]["locked"]]
    assert checks and all("check_" in c.source for c in checks), "checker calls are locked, graded cells"


def test_the_right_answers_get_every_auto_graded_point(graded):
    scores = graded[2]["right"]
    automatic = auto_graded(scores)
    assert automatic and all(score == maximum > 0 for score, maximum in automatic.values()), automatic
    assert all(name.endswith(("-code", "-prose")) or "-code" in name for name in set(scores) - set(automatic))


def test_a_wrong_answer_loses_exactly_its_exercise_points(graded):
    right, wrong = graded[2]["right"], graded[2]["wrong"]
    lost = {name for name in auto_graded(right) if wrong[name][0] != right[name][0]}
    assert lost == {name for name in auto_graded(right) if name.startswith("ch02-batch-bptt-")}
    assert all(wrong[name][0] == 0 for name in lost)
    total = sum(s for s, _ in auto_graded(right).values())
    missing = sum(right[name][1] for name in lost)
    assert sum(s for s, _ in auto_graded(wrong).values()) == total - missing


def test_editing_a_locked_checker_gains_nothing(graded):
    assert auto_graded(graded[2]["tampered"]) == auto_graded(graded[2]["wrong"])


def test_an_unanswered_release_gets_no_auto_graded_points(graded):
    assert all(score == 0 for score, _ in auto_graded(graded[2]["blank"]).values())


def test_assignment_cells_split_answer_and_checker():
    answer, checker = assignments.split_checker(
        "def f(x):\n    ### BEGIN SOLUTION\n    y = x\n    ### END SOLUTION\n    return y\n\n\n"
        "ch09.check_f(f)\nprint(1)"
    )
    assert answer.endswith("return y") and checker == "ch09.check_f(f)\nprint(1)"
    assert assignments.split_checker("### BEGIN SOLUTION\nx = 1\n### END SOLUTION\nprint(x)") is None


def test_write_keeps_an_edited_source_notebook_unless_forced(tmp_path, capsys):
    (source,) = assignments.write_course(tmp_path, [CHAPTER])
    assert assignments.write_course(tmp_path, [CHAPTER]) == [source]  # the same notebook again: fine
    source.write_text(
        source.read_text(encoding="utf-8").replace('"points": 3', '"points": 5'), encoding="utf-8"
    )
    edited = source.read_text(encoding="utf-8")
    with pytest.raises(SystemExit):
        assignments.main(["write", str(tmp_path), str(CHAPTER)])
    assert "would overwrite" in capsys.readouterr().err and source.read_text(encoding="utf-8") == edited
    assert assignments.main(["write", str(tmp_path), str(CHAPTER), "--force"]) == 0
    assert source.read_text(encoding="utf-8") != edited


@pytest.mark.parametrize(
    "argv,message",
    [
        (["write", "c", "no_such.ipynb"], "no such notebook"),
        (["write", "c", str(CHAPTER), "--profile", "fast"], "fast"),
    ],
)
def test_write_refuses_bad_arguments(argv, message, capsys):
    with pytest.raises(SystemExit):
        assignments.main(argv)
    assert message in capsys.readouterr().err


def test_report_names_exercises_by_number_and_flags_untouched_written_answers(tmp_path):
    hand_in = student.make_student_edition(CHAPTER, tmp_path)
    nb = nbformat.read(hand_in, as_version=4)
    headings = [c for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("### Exercise ")]
    numbers = {c.metadata[student.EXERCISE_KEY]: c.source.split()[2].rstrip(":") for c in headings}
    written = [c for c in nb.cells if "answer" in c.metadata.get("tags", []) and c.cell_type == "markdown"]
    assert len(written) >= 2, "chapter 2 asks for at least two written answers"
    written[0].source = "**My answer:** the error grows like epsilon squared."  # answered
    nbformat.write(nb, hand_in)

    done = subprocess.run(
        [sys.executable, "-m", "rnnbook.assignments", "report", str(hand_in)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    rows = [line.strip() for line in done.stdout.splitlines()[1:-1]]
    named = {row.split("  ")[0] for row in rows}
    assert {f"Exercise {n}" for n in numbers.values()} <= named, rows
    assert not any(label in done.stdout for label in numbers), "rows name the number, not the label"
    flagged = [row.split(" (written)")[0] for row in rows if "NOT ANSWERED" in row]
    expected = [f"Exercise {numbers[c.metadata[student.EXERCISE_KEY]]}" for c in written[1:]]
    assert flagged == expected, rows
    assert f"{len(expected)} written answer(s) not answered" in done.stdout.splitlines()[-1]
    assert "TCP" not in done.stderr and "WARNING" not in done.stderr, done.stderr


def test_an_nbgrader_release_names_its_exercises_and_its_blank_written_answers(graded):
    solutions, release, _ = graded
    names = assignments.exercise_names(release)
    assert names and all(name.startswith("Exercise 2.") for name in names.values()), names
    assert len(set(names.values())) == len(names)
    prose = [
        c.metadata[student.EXERCISE_KEY]
        for c in solutions.cells
        if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("solution")
    ]
    assert prose and assignments.unanswered(release) == prose  # nbgrader blanked every one
    assert assignments.unanswered(solutions) == []
