"""Execute chapters and stamp them: ``python -m rnnbook.execute [--profile cpu] [--output PATH] [NB ...]``.

Each notebook runs top to bottom in a fresh kernel (nbclient), in its own folder,
with ``RNNBOOK_PROFILE`` set; its outputs are saved and its metadata stamped with
everything the outputs depend on:

* the profile and a hash of the notebook's code cells;
* a hash of the source of every ``rnnbook`` module it imports, followed through the
  package's own imports (``profiles.py`` without its ``SIZES`` table, which counts
  only through the chapter's own entry, below);
* a hash of the chapter's entry in ``profiles.SIZES`` for that profile;
* the sha256 of every corpus it loads (``load_text("name")`` in its cells or modules);
* a hash of the stored outputs themselves, so a hand-edited output is noticed;
  (live widgets, such as tqdm's progress bars in a kernel, are not stored);
* the run time (and the quick profile's, for the instructors' page).

The tests compare the stamp with the current code, so outputs can never silently come
from older code. ``--check`` only verifies the stamps. Two commands may run at once on
different notebooks: each kernel gets its environment explicitly, keeps no shared
IPython history, and a notebook is replaced atomically (never half written), and never
over a version someone edited while it ran.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from rnnbook import colab_setup
from rnnbook.profiles import PROFILE_ENV, PROFILES

STAMP_KEY = "rnnbook"
STORED_PROFILE = "cpu"  # the profile whose outputs are committed
PACKAGE = "rnnbook"
PACKAGE_DIR = Path(__file__).resolve().parent  # the package whose sources the stamp hashes
DATA_ENV = "RNNBOOK_DATA_DIR"  # = rnnbook.data.DATA_ENV (not imported: --check needs no data module)
_CORPUS_CALL = re.compile(r"""\b(?:load_text|corpus_path)\(\s*["'](\w+)["']""")
_SIZES_CALL = re.compile(r"""\bsizes\(\s*["'](\w+)["']""")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _code_sources(nb: nbformat.NotebookNode) -> list[str]:
    return [cell.source for cell in nb.cells if cell.cell_type == "code"]


def code_hash(nb: nbformat.NotebookNode) -> str:
    """sha256 of the notebook's code cells' sources, in order."""
    digest = hashlib.sha256()
    for source in _code_sources(nb):
        digest.update(source.encode("utf-8") + b"\n\x00\n")
    return digest.hexdigest()


def outputs_hash(nb: nbformat.NotebookNode) -> str:
    """sha256 of the code cells' stored outputs (canonical JSON, so key order does not matter)."""
    outputs = [cell.get("outputs", []) for cell in nb.cells if cell.cell_type == "code"]
    return _sha256(json.dumps(outputs, sort_keys=True, ensure_ascii=False, separators=(",", ":")))


# --- which rnnbook modules a notebook depends on ---------------------------------------


def _parse(source: str) -> ast.Module | None:
    """The Python syntax tree of a cell (IPython magics turned into calls), or None."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        source = TransformerManager().transform_cell(source)
    except ImportError:  # pragma: no cover - nbclient's kernel always brings IPython
        source = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    try:
        return ast.parse(source)
    except SyntaxError:
        return None


def _module_file(name: str, package_dir: Path) -> Path | None:
    """The file of module ``name`` (``rnnbook.x.y``) inside ``package_dir``, or None."""
    parts = name.split(".")
    if parts[0] != PACKAGE:
        return None
    base = package_dir.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported_names(tree: ast.Module, current: str | None = None) -> set[str]:
    """Names of the rnnbook modules (or module.attribute) that ``tree`` imports.

    ``current`` is the importing module's package (``rnnbook`` or ``rnnbook.checks``), for
    relative imports; notebooks have none.
    """
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level and current:
                parent = current.split(".")[: len(current.split(".")) - node.level + 1]
                module = ".".join(parent + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names.add(module)  # `from a.b import c`: a.b, and a.b.c if c is a module
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return {name for name in names if name == PACKAGE or name.startswith(PACKAGE + ".")}


def module_dependencies(sources: list[str], package_dir: Path = PACKAGE_DIR) -> dict[str, Path]:
    """The rnnbook modules that code ``sources`` import, directly or through each other.

    Returns ``{"numpy_rnn.py": path, "checks/__init__.py": path, ...}`` (paths relative to the
    package); parent packages' ``__init__.py`` count, since importing a submodule runs them.
    """
    pending = [name for source in sources if (tree := _parse(source)) for name in _imported_names(tree)]
    found: dict[str, Path] = {}
    while pending:
        name = pending.pop()
        parts = name.split(".")
        for depth in range(1, len(parts) + 1):  # rnnbook, rnnbook.checks, rnnbook.checks.ch01
            module = ".".join(parts[:depth])
            path = _module_file(module, package_dir)
            if path is None:
                break  # an attribute, not a module (`from rnnbook.plotting import box`)
            key = path.relative_to(package_dir).as_posix()
            if key in found:
                continue
            found[key] = path
            package = module if path.name == "__init__.py" else module.rpartition(".")[0]
            tree = ast.parse(path.read_text(encoding="utf-8"))
            pending.extend(_imported_names(tree, package))
    return dict(sorted(found.items()))


def _module_source(path: Path) -> str:
    """A module's source; for ``profiles.py`` without the ``SIZES`` table (counted per chapter)."""
    source = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    if path.name != "profiles.py":
        return source
    lines = source.splitlines(keepends=True)
    for node in ast.parse(source).body:
        targets = [node.target] if isinstance(node, ast.AnnAssign) else getattr(node, "targets", [])
        if any(isinstance(t, ast.Name) and t.id == "SIZES" for t in targets):
            lines[node.lineno - 1 : node.end_lineno] = ["SIZES = ...\n"]
            break
    return "".join(lines)


def module_hashes(nb: nbformat.NotebookNode, package_dir: Path = PACKAGE_DIR) -> dict[str, str]:
    """``{module file: sha256 of its source}`` for every rnnbook module the notebook runs."""
    return {
        key: _sha256(_module_source(path))
        for key, path in module_dependencies(_code_sources(nb), package_dir).items()
    }


def _all_source(nb: nbformat.NotebookNode, package_dir: Path) -> str:
    modules = module_dependencies(_code_sources(nb), package_dir).values()
    return "\n".join([*_code_sources(nb), *(path.read_text(encoding="utf-8") for path in modules)])


def sizes_hash(nb: nbformat.NotebookNode, profile: str, package_dir: Path = PACKAGE_DIR) -> str | None:
    """sha256 of the chapter's ``profiles.SIZES`` entry in ``profile`` (None if it reads none)."""
    from rnnbook import profiles

    chapters = sorted(set(_SIZES_CALL.findall("\n".join(_code_sources(nb)))))
    if not chapters:
        return None
    entries = {chapter: profiles.SIZES.get(chapter, {}).get(profile) for chapter in chapters}
    return _sha256(json.dumps(entries, sort_keys=True, default=repr))


def corpus_checksums(nb: nbformat.NotebookNode, package_dir: Path = PACKAGE_DIR) -> dict[str, str]:
    """``{corpus name: sha256}`` of the corpora the notebook loads (by name, in its code or modules)."""
    from rnnbook.data import CORPORA

    names = set(_CORPUS_CALL.findall(_all_source(nb, package_dir))) & set(CORPORA)
    return {name: CORPORA[name].sha256 for name in sorted(names)}


def dependency_stamp(nb: nbformat.NotebookNode, profile: str, package_dir: Path = PACKAGE_DIR) -> dict:
    """What a notebook's outputs depend on, apart from the outputs themselves."""
    return {
        "profile": profile,
        "code_sha256": code_hash(nb),
        "modules": module_hashes(nb, package_dir),
        "sizes_sha256": sizes_hash(nb, profile, package_dir),
        "corpora": corpus_checksums(nb, package_dir),
    }


# --- checking a stamp ---------------------------------------------------------------------


def stamp_problems(path: Path, profile: str = STORED_PROFILE, package_dir: Path = PACKAGE_DIR) -> list[str]:
    """What is wrong with a notebook's stamp (empty list when it is current)."""
    nb = nbformat.read(path, as_version=4)
    name = Path(path).name
    stamp = nb.metadata.get(STAMP_KEY)
    if not stamp:
        return [f"{name}: never executed by `python -m rnnbook.execute`"]
    if stamp.get("profile") != profile:
        return [f"{name}: outputs are from profile {stamp.get('profile')!r}, expected {profile!r}"]
    if "outputs_sha256" not in stamp:
        return [f"{name}: stamped by an older execute command that did not record what the outputs depend on"]
    now = dependency_stamp(nb, profile, package_dir)
    problems = []
    if stamp.get("code_sha256") != now["code_sha256"]:
        problems.append(f"{name}: code cells changed after the outputs were made")
    old_modules = stamp.get("modules", {})
    changed = sorted(
        k for k in set(old_modules) | set(now["modules"]) if old_modules.get(k) != now["modules"].get(k)
    )
    if changed:
        problems.append(f"{name}: rnnbook modules changed after the outputs were made: {', '.join(changed)}")
    if stamp.get("sizes_sha256") != now["sizes_sha256"]:
        problems.append(
            f"{name}: its sizes in profiles.SIZES ({profile}) changed after the outputs were made"
        )
    if stamp.get("corpora") != now["corpora"]:
        problems.append(f"{name}: corpus checksums changed: {stamp.get('corpora')} -> {now['corpora']}")
    if stamp.get("outputs_sha256") != outputs_hash(nb):
        problems.append(
            f"{name}: stored outputs differ from the ones the execute command wrote (edited by hand?)"
        )
    return [f"{p}; re-execute it with `python -m rnnbook.execute {path}`" for p in problems]


# --- running ------------------------------------------------------------------------------


def kernel_environment(profile: str) -> dict[str, str]:
    """The environment a chapter's kernel runs with: this one, the profile, absolute paths."""
    env = dict(os.environ)
    env[PROFILE_ENV] = profile
    if env.get(DATA_ENV):  # the kernel runs in chapters/: a relative setting would point elsewhere
        env[DATA_ENV] = os.path.abspath(os.path.expanduser(env[DATA_ENV]))
    return env


def run_notebook(nb: nbformat.NotebookNode, folder: Path, profile: str, timeout: int) -> float:
    """Execute ``nb`` in place in a fresh kernel; returns the seconds it took."""
    from nbclient import NotebookClient  # imported here so --check needs only nbformat

    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(folder)}},
        # Kernels of parallel runs must not fight over one IPython history database.
        extra_arguments=["--HistoryManager.enabled=False"],
    )
    start = time.perf_counter()
    client.execute(env=kernel_environment(profile))
    return time.perf_counter() - start


WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def drop_live_widgets(nb: nbformat.NotebookNode) -> int:
    """Remove widget outputs (tqdm's live progress bars in a kernel) and the notebook's widget state.

    A stored widget shows only with its kernel: GitHub and Colab show a stale "0%" bar and the
    HTML book would fetch the widget library from a CDN. Returns how many outputs were removed.
    """
    removed = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = [o for o in cell.get("outputs", []) if WIDGET_MIME not in o.get("data", {})]
        removed += len(cell.get("outputs", [])) - len(kept)
        cell.outputs = kept
    nb.metadata.pop("widgets", None)
    return removed


def _write_atomically(nb: nbformat.NotebookNode, target: Path) -> None:
    """Write ``nb`` to a temporary file beside ``target``, then rename it over ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=".ipynb.tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            nbformat.write(nb, file)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class NotebookChangedError(RuntimeError):
    """The notebook file was edited while it ran; its executed copy was saved elsewhere."""


def book_root(path: Path) -> Path:
    """The folder holding the book's ``_config.yml`` at or above ``path``'s folder."""
    for folder in Path(path).resolve().parents:
        if (folder / "_config.yml").is_file():
            return folder
    raise FileNotFoundError(f"no _config.yml at or above {Path(path).parent}: is {path} in the book?")


def execute(
    path: Path,
    profile: str,
    timeout: int,
    time_quick: bool = True,
    output: Path | None = None,
    pin_setup: bool = True,
) -> float:
    """Run one notebook in ``profile`` and stamp it; returns the seconds it took.

    With ``pin_setup`` the chapter's Colab setup cell is first rewritten to install the helper
    package at the current commit (:mod:`rnnbook.colab_setup`; RuntimeError when ``code/``
    has uncommitted changes). The executed notebook replaces ``path`` (or is written to
    ``output``). With ``time_quick``, a throw-away run in the ``quick`` profile comes first,
    so the stamp also records how long the tests' run takes (the instructors' page shows
    both). Raises :class:`NotebookChangedError` when ``path`` was edited during the run (the
    edit is kept; the result goes beside it).
    """
    path = Path(path)
    original = path.read_bytes()
    nb = nbformat.reads(original.decode("utf-8"), as_version=4)
    if pin_setup and colab_setup.has_setup_cell(nb):
        root = book_root(path)
        colab_setup.pin(nb, colab_setup.repository_url(root), colab_setup.head_commit(root))
    colab_setup.fold_solutions(nb)  # metadata only: Jupyter and Colab fold the solutions
    stamp = dependency_stamp(nb, profile)
    if time_quick and profile != "quick":
        stamp["quick_seconds"] = round(run_notebook(nbformat.from_dict(nb), path.parent, "quick", timeout), 1)
    seconds = run_notebook(nb, path.parent, profile, timeout)
    stamp["seconds"] = round(seconds, 1)
    drop_live_widgets(nb)
    # Hash the outputs as they will read back from the file (nbformat normalises some strings).
    stamp["outputs_sha256"] = outputs_hash(nbformat.reads(nbformat.writes(nb), as_version=4))
    nb.metadata[STAMP_KEY] = stamp
    target = Path(output) if output else path
    if target == path and path.read_bytes() != original:
        aside = path.with_name(f"{path.stem}.executed.ipynb")
        _write_atomically(nb, aside)
        raise NotebookChangedError(f"{path} was edited while it ran; kept the edit, wrote the run to {aside}")
    _write_atomically(nb, target)
    return seconds


def chapter_notebooks(root: Path) -> list[Path]:
    """The chapters' notebooks in reading order."""
    return sorted((root / "chapters").glob("[0-9][0-9]_*.ipynb"))


def _targets(notebooks: list[Path], output: Path | None) -> list[Path | None]:
    """Where each notebook's result goes: in place, to ``output``, or into the folder ``output``."""
    if output is None:
        return [None] * len(notebooks)
    if output.is_dir():
        return [output / nb.name for nb in notebooks]
    if len(notebooks) > 1:
        raise ValueError(
            f"--output {output} must be an existing folder when running {len(notebooks)} notebooks"
        )
    return [output]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m rnnbook.execute", description=__doc__.splitlines()[0].replace("``", "")
    )
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: every chapter)")
    parser.add_argument("--profile", default=STORED_PROFILE, choices=PROFILES)
    parser.add_argument("--timeout", type=int, default=3600, help="seconds allowed per cell")
    parser.add_argument("--check", action="store_true", help="only verify the stamps")
    parser.add_argument(
        "--output",
        type=Path,
        help="write the executed notebook to this file (or into this existing folder) instead of in place",
    )
    parser.add_argument(
        "--no-pin",
        dest="pin_setup",
        action="store_false",
        help="leave the Colab setup cell as it is (default: pin it to the current commit)",
    )
    parser.add_argument(
        "--no-quick-timing",
        dest="time_quick",
        action="store_false",
        help="skip the timed quick-profile run that precedes the real one",
    )
    args = parser.parse_args(argv)
    notebooks = args.notebooks or chapter_notebooks(Path.cwd())
    if not notebooks:
        parser.error("no notebooks given and none found under ./chapters")
    missing = [str(nb) for nb in notebooks if not nb.is_file()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}")
    if args.check:
        problems = [p for nb in notebooks for p in stamp_problems(nb, args.profile)]
        print("\n".join(problems) or f"{len(notebooks)} notebook stamps are current")
        return 1 if problems else 0
    try:
        targets = _targets(notebooks, args.output)
    except ValueError as err:
        parser.error(str(err))
    for path, target in zip(notebooks, targets, strict=True):
        print(f"{path}: running in profile {args.profile} ...", flush=True)
        try:
            seconds = execute(path, args.profile, args.timeout, args.time_quick, target, args.pin_setup)
        except RuntimeError as error:  # uncommitted helper code: say so, no traceback
            parser.error(str(error))
        print(f"{path}: done in {seconds:.1f} s" + (f", written to {target}" if target else ""), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
