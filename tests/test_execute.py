"""The execute command runs a notebook for real, stamps it, and the stamp check notices every change
the outputs depend on: code cells, rnnbook modules (also imported indirectly), the chapter's sizes,
the corpus checksums, and a hand-edited output."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from rnnbook import data, execute, profiles

REPO = Path(__file__).resolve().parents[1]


def make_notebook(path, *sources):
    nb = new_notebook(cells=[new_code_cell(source) for source in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def test_execute_stamps_and_check_detects_edits(tmp_path, monkeypatch):
    path = tmp_path / "01_demo.ipynb"
    make_notebook(path, "import os\nprint(os.environ['RNNBOOK_PROFILE'])")
    assert execute.stamp_problems(path) == ["01_demo.ipynb: never executed by `python -m rnnbook.execute`"]

    assert execute.main([str(path)]) == 0  # default: the cpu profile, after a timed quick run
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[0].outputs[0].text == "cpu\n"  # the stored outputs are the cpu run's
    assert set(nb.metadata["rnnbook"]) == {
        "profile",
        "code_sha256",
        "modules",
        "sizes_sha256",
        "corpora",
        "outputs_sha256",
        "seconds",
        "quick_seconds",
    }
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
    nb.cells.append(new_markdown_cell("prose"))
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", text="1")]
    assert execute.code_hash(nb) == before
    nb.cells[0].source = "x = 2"
    assert execute.code_hash(nb) != before


def test_old_stamps_are_stale(tmp_path):
    path = tmp_path / "old.ipynb"
    nb = new_notebook(cells=[new_code_cell("x = 1")])
    nb.metadata["rnnbook"] = {"profile": "cpu", "code_sha256": execute.code_hash(nb), "seconds": 1.0}
    nbformat.write(nb, path)
    assert "older execute command" in execute.stamp_problems(path)[0]


# --- what the outputs depend on ---------------------------------------------------------------

DEPENDENT_CELLS = (
    "%matplotlib inline\nfrom rnnbook import numpy_rnn, profiles\n"
    "cfg = profiles.sizes('ch01')\nprint(cfg.n_hidden)",
    "def first_line():\n    from rnnbook.data import load_text\n\n    return load_text('shakespeare', 10)",
)


@pytest.fixture(scope="module")
def stamped(tmp_path_factory):
    """A notebook that imports numpy_rnn, reads ch01's sizes and names a corpus, executed once."""
    folder = tmp_path_factory.mktemp("stamped")
    path = folder / "01_dep.ipynb"
    make_notebook(path, *DEPENDENT_CELLS)
    assert execute.main([str(path), "--profile", "quick", "--no-quick-timing"]) == 0
    return path


@pytest.fixture
def notebook(stamped, tmp_path):
    """A fresh copy of the executed notebook, free to be edited."""
    return Path(shutil.copy(stamped, tmp_path / stamped.name))


@pytest.fixture
def package(tmp_path):
    """A copy of the rnnbook package whose sources a test may edit."""
    return Path(
        shutil.copytree(
            execute.PACKAGE_DIR, tmp_path / "rnnbook", ignore=shutil.ignore_patterns("__pycache__")
        )
    )


def test_stamp_records_the_dependencies(notebook):
    stamp = nbformat.read(notebook, as_version=4).metadata["rnnbook"]
    modules = set(stamp["modules"])
    # numpy_rnn, profiles, data (named in a function), what they import, and the package itself
    assert {"__init__.py", "numpy_rnn.py", "profiles.py", "data.py", "validate.py"} <= modules
    assert not {"gates.py", "charmodels.py", "checks/ch01.py"} & modules
    assert stamp["corpora"] == {"shakespeare": data.CORPORA["shakespeare"].sha256}
    assert execute.stamp_problems(notebook, "quick") == []


def _edit(path: Path, old: str, new: str):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_changed_imported_module_makes_the_outputs_stale(notebook, package):
    assert execute.stamp_problems(notebook, "quick", package) == []  # an identical copy
    _edit(package / "numpy_rnn.py", "import numpy as np", "import numpy as np  # edited")
    (problem,) = execute.stamp_problems(notebook, "quick", package)
    assert "rnnbook modules changed" in problem and "numpy_rnn.py" in problem


def test_a_module_imported_indirectly_counts_and_others_do_not(notebook, package):
    _edit(package / "gates.py", '"""', '"""Edited. ')  # not imported by the notebook
    assert execute.stamp_problems(notebook, "quick", package) == []
    text = (package / "numpy_rnn.py").read_text(encoding="utf-8")
    assert "validate" in text, "this test assumes numpy_rnn imports rnnbook.validate"
    _edit(package / "validate.py", '"""', '"""Edited. ')
    (problem,) = execute.stamp_problems(notebook, "quick", package)
    assert "validate.py" in problem and "numpy_rnn.py" not in problem


def test_the_chapters_sizes_count_but_not_other_chapters(notebook, package, monkeypatch):
    # Another chapter's entry in the SIZES table of profiles.py: not this notebook's business.
    monkeypatch.setitem(profiles.SIZES["ch02"]["quick"], "epochs", 999)
    _edit(package / "profiles.py", '"ch02": {', '"ch02": {  # edited')
    assert execute.stamp_problems(notebook, "quick", package) == []
    monkeypatch.setitem(profiles.SIZES["ch01"]["quick"], "n_hidden", 6)
    (problem,) = execute.stamp_problems(notebook, "quick", package)
    assert "sizes in profiles.SIZES (quick) changed" in problem
    # The rest of profiles.py (how sizes are chosen and shown) counts for every chapter.
    _edit(package / "profiles.py", "def show(", "def show(  # edited\n")
    assert any("profiles.py" in p for p in execute.stamp_problems(notebook, "quick", package))


def test_a_changed_corpus_checksum_makes_the_outputs_stale(notebook, monkeypatch):
    corpus = data.CORPORA["shakespeare"]
    monkeypatch.setitem(data.CORPORA, "shakespeare", data.Corpus(**{**corpus.__dict__, "sha256": "0" * 64}))
    (problem,) = execute.stamp_problems(notebook, "quick")
    assert "corpus checksums changed" in problem


def test_a_hand_edited_output_is_noticed(notebook):
    nb = nbformat.read(notebook, as_version=4)
    output = nb.cells[0].outputs[0]
    assert output.text == f"{profiles.SIZES['ch01']['quick']['n_hidden']}\n"
    output.text = "42\n"
    nbformat.write(nb, notebook)
    (problem,) = execute.stamp_problems(notebook, "quick")
    assert "stored outputs differ" in problem


# --- the command line -----------------------------------------------------------------------


def test_usage_names_the_command(capsys):
    with pytest.raises(SystemExit):
        execute.main(["--help"])
    usage = capsys.readouterr().out
    assert usage.startswith("usage: python -m rnnbook.execute")
    assert "--output" in usage


def test_output_writes_elsewhere_and_relative_data_dir_is_absolute_in_the_kernel(tmp_path, monkeypatch):
    source = tmp_path / "chapters" / "02_env.ipynb"
    source.parent.mkdir()
    make_notebook(source, "import os\nprint(os.environ['RNNBOOK_DATA_DIR'])\nprint(os.getcwd())")
    before = source.read_bytes()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(data.DATA_ENV, "mydata")  # relative to where it was set: tmp_path
    out = tmp_path / "out" / "executed.ipynb"
    assert execute.main([str(source), "--profile", "quick", "--no-quick-timing", "--output", str(out)]) == 0
    assert source.read_bytes() == before  # the source is untouched
    lines = nbformat.read(out, as_version=4).cells[0].outputs[0].text.splitlines()
    assert lines == [str(tmp_path / "mydata"), str(source.parent)]  # the kernel runs beside the source
    assert execute.stamp_problems(out, "quick") == []
    assert not (tmp_path / "mydata").exists()  # nothing created


def test_output_to_a_file_needs_a_single_notebook(tmp_path, capsys):
    for name in ("a.ipynb", "b.ipynb"):
        make_notebook(tmp_path / name, "1")
    with pytest.raises(SystemExit):
        execute.main(
            [str(tmp_path / "a.ipynb"), str(tmp_path / "b.ipynb"), "--output", str(tmp_path / "x.ipynb")]
        )
    assert "must be an existing folder" in capsys.readouterr().err


def test_a_notebook_edited_during_its_run_is_not_overwritten(tmp_path, monkeypatch):
    path = tmp_path / "03_busy.ipynb"
    make_notebook(path, "print(1)")

    def run_while_someone_edits(nb, folder, profile, timeout):
        _edit(path, "print(1)", "print(2)")  # a person saves the notebook mid-run
        return 0.0

    monkeypatch.setattr(execute, "run_notebook", run_while_someone_edits)
    with pytest.raises(execute.NotebookChangedError, match="edited while it ran"):
        execute.execute(path, "quick", 60, time_quick=False)
    assert "print(2)" in path.read_text()  # their edit is kept
    assert (tmp_path / "03_busy.executed.ipynb").is_file()


def test_two_commands_run_different_notebooks_at_once(tmp_path):
    cells = ("import os, time\ntime.sleep(2)\nprint(os.environ['RNNBOOK_PROFILE'], {name!r})",)
    for name in ("a", "b"):
        make_notebook(tmp_path / f"{name}.ipynb", cells[0].format(name=name))
    command = [sys.executable, "-m", "rnnbook.execute", "--profile", "quick", "--no-quick-timing"]
    env = {**os.environ, "PYTHONPATH": str(REPO / "code")}
    runs = [
        subprocess.Popen(
            [*command, str(tmp_path / f"{name}.ipynb")],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name in ("a", "b")
    ]
    for run in runs:
        out, _ = run.communicate(timeout=300)
        assert run.returncode == 0, out
    for name in ("a", "b"):
        nb = nbformat.read(tmp_path / f"{name}.ipynb", as_version=4)
        assert nb.cells[0].outputs[0].text == f"quick {name}\n"
        assert execute.stamp_problems(tmp_path / f"{name}.ipynb", "quick") == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.ipynb", "b.ipynb"]  # no temporary files left


def test_live_widgets_are_not_stored(tmp_path):
    path = tmp_path / "04_widget.ipynb"
    widget = "{'model_id': 'abc', 'version_major': 2, 'version_minor': 0}"
    make_notebook(
        path,
        "from IPython.display import display\n"
        f"display({{'application/vnd.jupyter.widget-view+json': {widget}, 'text/plain': '0%|'}}, raw=True)\n"
        "print('trained')",
    )
    assert execute.main([str(path), "--profile", "quick", "--no-quick-timing"]) == 0
    nb = nbformat.read(path, as_version=4)
    assert [o.output_type for o in nb.cells[0].outputs] == ["stream"]
    assert nb.cells[0].outputs[0].text == "trained\n"
    assert "widgets" not in nb.metadata
    assert execute.stamp_problems(path, "quick") == []


# --- mutation testing (tools/mutation.sh execute) ------------------------------------------


def test_a_module_checked_out_with_windows_line_endings_hashes_the_same(tmp_path):
    nb = new_notebook(cells=[new_code_cell("import rnnbook.mod")])
    text = '"""Docstring."""\nX = 1\n'
    hashes = []
    for name, newline in [("lf", "\n"), ("crlf", "\r\n")]:
        package_dir = tmp_path / name
        package_dir.mkdir()
        (package_dir / "__init__.py").write_bytes(b"")
        (package_dir / "mod.py").write_bytes(text.replace("\n", newline).encode("utf-8"))
        hashes.append(execute.module_hashes(nb, package_dir))
    assert hashes[0] == hashes[1] == {"__init__.py": execute._sha256(""), "mod.py": execute._sha256(text)}


def test_run_notebook_times_the_run_without_history_or_timing_metadata(tmp_path):
    nb = new_notebook(
        cells=[new_code_cell("import time\ntime.sleep(0.3)\nprint(get_ipython().history_manager.enabled)")]
    )
    seconds = execute.run_notebook(nb, tmp_path, "quick", timeout=120)
    assert 0.3 <= seconds < 120
    assert nb.cells[0].outputs[0].text == "False\n"  # parallel kernels share no history database
    assert "execution" not in nb.cells[0].metadata  # no timestamps: a re-run changes only outputs


def test_run_notebook_stops_a_cell_past_its_timeout(tmp_path):
    from nbclient.exceptions import CellTimeoutError

    nb = new_notebook(cells=[new_code_cell("import time\ntime.sleep(30)")])
    with pytest.raises(CellTimeoutError):
        execute.run_notebook(nb, tmp_path, "quick", timeout=1)


def test_drop_live_widgets_counts_what_it_removed():
    widget = {"output_type": "display_data", "data": {execute.WIDGET_MIME: {}}, "metadata": {}}
    text = {"output_type": "stream", "name": "stdout", "text": "trained\n"}
    nb = new_notebook(cells=[new_code_cell("1", outputs=[widget, text, widget]), new_markdown_cell("m")])
    nb.metadata["widgets"] = {"state": {}}
    assert execute.drop_live_widgets(nb) == 2
    assert nb.cells[0].outputs == [text] and "widgets" not in nb.metadata
    assert execute.drop_live_widgets(nb) == 0


def test_targets_in_place_in_a_folder_or_to_one_file(tmp_path):
    notebooks = [Path("chapters/01_a.ipynb"), Path("chapters/02_b.ipynb")]
    assert execute._targets(notebooks, None) == [None, None]
    assert execute._targets(notebooks, tmp_path) == [tmp_path / "01_a.ipynb", tmp_path / "02_b.ipynb"]
    assert execute._targets(notebooks[:1], tmp_path / "x.ipynb") == [tmp_path / "x.ipynb"]


def test_write_atomically_uses_a_hidden_temporary_beside_the_target_and_cleans_up(tmp_path, monkeypatch):
    target = tmp_path / "new" / "folder" / "05_x.ipynb"  # missing parents are made
    nb = new_notebook(cells=[new_code_cell("print('é')")])
    execute._write_atomically(nb, target)
    assert nbformat.read(target, as_version=4).cells[0].source == "print('é')"
    before = target.read_bytes()
    seen = []

    def fail_mid_write(notebook, file):
        seen.extend(p.name for p in target.parent.iterdir())
        raise OSError("disk full")

    monkeypatch.setattr(execute.nbformat, "write", fail_mid_write)
    with pytest.raises(OSError, match="disk full"):
        execute._write_atomically(nb, target)
    temporaries = [name for name in seen if name != "05_x.ipynb"]
    assert len(temporaries) == 1
    assert temporaries[0].startswith(".05_x-") and temporaries[0].endswith(".ipynb.tmp")
    assert sorted(p.name for p in target.parent.iterdir()) == ["05_x.ipynb"]  # removed again
    assert target.read_bytes() == before  # the old file is untouched


def test_execute_by_default_times_the_quick_profile_and_pins_the_setup_cell(tmp_path, monkeypatch):
    path = tmp_path / "06_x.ipynb"
    make_notebook(path, "print(1)")
    profiles_run = []

    def fake_run(nb, folder, profile, timeout):
        profiles_run.append((profile, timeout))
        return 2.34

    monkeypatch.setattr(execute, "run_notebook", fake_run)
    assert execute.execute(path, "cpu", 60) == 2.34
    assert profiles_run == [("quick", 60), ("cpu", 60)]
    stamp = nbformat.read(path, as_version=4).metadata[execute.STAMP_KEY]
    assert (stamp["quick_seconds"], stamp["seconds"]) == (2.3, 2.3)  # rounded to 0.1 s
    profiles_run.clear()
    execute.execute(path, "quick", 60)  # the quick profile is not run twice
    assert profiles_run == [("quick", 60)]
    make_notebook(path, "import google.colab  # setup cell")
    with pytest.raises(FileNotFoundError, match="no _config.yml"):  # pinning looks for the book
        execute.execute(path, "cpu", 60)


def test_execute_pins_the_setup_cell_to_the_book_s_repository_and_commit(tmp_path, monkeypatch):
    (tmp_path / "_config.yml").write_text("title: t\n")
    path = tmp_path / "chapters" / "07_x.ipynb"
    path.parent.mkdir()
    make_notebook(path, "import google.colab  # setup cell", "print(1)")
    roots = []
    monkeypatch.setattr(
        execute.colab_setup, "repository_url", lambda root: roots.append(root) or "https://x.org/b"
    )
    monkeypatch.setattr(execute.colab_setup, "head_commit", lambda root: roots.append(root) or "abc1234")
    monkeypatch.setattr(execute, "run_notebook", lambda nb, folder, profile, timeout: 0.0)
    execute.execute(path, "quick", 60)
    assert roots == [tmp_path, tmp_path]
    setup = nbformat.read(path, as_version=4).cells[0].source
    assert setup == execute.colab_setup.render("https://x.org/b", "abc1234").rstrip("\n")


def test_drop_live_widgets_counts_the_widgets_of_every_cell():
    """Mutation testing (issue 16): the count adds up over cells (``removed +=``, not ``=``)."""
    widget = {"output_type": "display_data", "data": {execute.WIDGET_MIME: {}}, "metadata": {}}
    text = {"output_type": "stream", "name": "stdout", "text": "epoch 1\n"}
    nb = new_notebook(
        cells=[
            new_code_cell("a", outputs=[widget, widget]),
            new_code_cell("b", outputs=[text, widget]),
            new_code_cell("c", outputs=[text]),
        ]
    )
    assert execute.drop_live_widgets(nb) == 3
    assert [cell.outputs for cell in nb.cells] == [[], [text], [text]]


# --- mutation testing (issue 16): module sources, chapter lists and the command's settings -----


def test_module_source_hides_only_the_sizes_table_of_profiles(tmp_path):
    source = "A = 1\r\nSIZES = {\r\n    'ch01': 2,\r\n}\r\nB: int = 3\r\n"
    (tmp_path / "profiles.py").write_bytes(source.encode())
    assert execute._module_source(tmp_path / "profiles.py") == "A = 1\nSIZES = ...\nB: int = 3\n"
    (tmp_path / "other.py").write_bytes(source.encode())  # any other module: whole, with \n endings
    assert execute._module_source(tmp_path / "other.py") == source.replace("\r\n", "\n")
    annotated = "X = 0\nSIZES: dict = {\n    'ch01': 2,\n}\nC = 2\n"
    (tmp_path / "profiles.py").write_text(annotated)
    assert execute._module_source(tmp_path / "profiles.py") == "X = 0\nSIZES = ...\nC = 2\n"


def test_chapter_notebooks_are_the_numbered_notebooks_of_chapters_in_order(tmp_path):
    folder = tmp_path / "chapters"
    folder.mkdir()
    for name in ["10_b.ipynb", "01_a.ipynb", "1_c.ipynb", "notes.ipynb", "02_d.md"]:
        (folder / name).write_text("{}")
    assert execute.chapter_notebooks(tmp_path) == [folder / "01_a.ipynb", folder / "10_b.ipynb"]


def test_usage_lines(capsys):
    import re

    with pytest.raises(SystemExit):
        execute.main(["--help"])
    usage = capsys.readouterr().out
    assert "\nExecute chapters and stamp them: python -m rnnbook.execute" in usage  # the first docstring line
    assert re.search(r"^  notebooks +notebooks to run \(default: every chapter\)$", usage, re.M)
    assert re.search(r"^  --timeout TIMEOUT +seconds allowed per cell$", usage, re.M)
    assert "--profile {quick,cpu,gpu}" in usage
    assert re.search(r"^  --check +only verify the stamps$", usage, re.M)
    words = " ".join(usage.split())  # the help texts argparse wraps, unwrapped
    assert (
        "--output OUTPUT write the executed notebook to this file (or into this existing folder) "
        "instead of in place" in words
    )
    assert "--no-pin leave the Colab setup cell as it is (default: pin it to the current commit)" in words
    assert "--no-quick-timing skip the timed quick-profile run that precedes the real one" in words


def test_the_command_passes_its_profile_and_an_integer_timeout(tmp_path, monkeypatch, capsys):
    path = tmp_path / "chapters" / "01_x.ipynb"
    path.parent.mkdir()
    path.write_text("{}")
    calls = []
    monkeypatch.setattr(
        execute, "execute", lambda path, profile, timeout, *rest: calls.append((profile, timeout)) or 0.0
    )
    execute.main([str(path), "--profile", "quick", "--no-quick-timing"])
    execute.main([str(path), "--profile", "quick", "--no-quick-timing", "--timeout", "20"])
    assert calls == [("quick", 3600), ("quick", 20)]
    with pytest.raises(SystemExit):
        execute.main([str(path), "--profile", "fast"])
    assert "invalid choice: 'fast'" in capsys.readouterr().err


def test_the_command_line_messages_check_mode_and_switches(tmp_path, monkeypatch, capsys):
    def error_of(argv):
        with pytest.raises(SystemExit) as info:
            execute.main(argv)
        assert info.value.code == 2
        return capsys.readouterr().err.strip().splitlines()[-1]

    monkeypatch.chdir(tmp_path)  # no chapters/ here
    assert (
        error_of([]) == "python -m rnnbook.execute: error: no notebooks given and none found under ./chapters"
    )
    assert (
        error_of(["a.ipynb", "b.ipynb"])
        == "python -m rnnbook.execute: error: no such notebook: a.ipynb, b.ipynb"
    )
    chapter = Path("chapters") / "01_x.ipynb"
    chapter.parent.mkdir()
    chapter.write_text("{}")
    checked = []
    monkeypatch.setattr(execute, "stamp_problems", lambda nb, profile: checked.append((nb, profile)) or [])
    assert execute.main(["--check", "--profile", "quick"]) == 0  # the chapters under the current folder
    assert checked == [(tmp_path / chapter, "quick")]
    assert capsys.readouterr().out == "1 notebook stamps are current\n"
    monkeypatch.setattr(execute, "stamp_problems", lambda nb, profile: ["first problem", "second problem"])
    assert execute.main(["--check"]) == 1
    assert capsys.readouterr().out == "first problem\nsecond problem\n"
    calls = []
    monkeypatch.setattr(execute, "execute", lambda *args: calls.append(args[1:]) or 1.0)
    execute.main([str(chapter), "--profile", "quick"])
    execute.main([str(chapter), "--profile", "quick", "--no-pin", "--no-quick-timing"])
    assert calls == [("quick", 3600, True, None, True), ("quick", 3600, False, None, False)]
    assert (
        capsys.readouterr().out.splitlines()
        == [f"{chapter}: running in profile quick ...", f"{chapter}: done in 1.0 s"] * 2
    )
    execute.main([str(chapter), "--profile", "quick", "--output", "out.ipynb"])
    assert capsys.readouterr().out.splitlines()[-1] == f"{chapter}: done in 1.0 s, written to out.ipynb"
