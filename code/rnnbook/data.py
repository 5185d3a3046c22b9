"""The book's corpora: downloaded on first use, verified, cached.

Where the files are looked for, in order:

1. ``$RNNBOOK_DATA_DIR`` when it is set (tests and offline machines point it at a
   folder that already holds the files; downloads go there too if it is writable).
   A relative setting is resolved against the current directory of the process that
   reads it first: the test suite (root ``conftest.py``) and ``python -m rnnbook.execute``
   make it absolute before any notebook kernel starts, because kernels run in
   ``chapters/``. In a notebook you start yourself, give an absolute path;
2. otherwise the book's own ``data/`` folder when running inside the repository;
3. otherwise ``~/.cache/rnnbook`` (for example in Colab).

There is no silent fallback to another folder: a setting that points at a file, a
folder where the corpus file should be, or a read-only folder without the corpus is an
error naming the path and what to do. A cached file is verified on every use (sha256
for tiny Shakespeare; a looser check for Alice, whose raw Project Gutenberg download
differs by edition and whitespace); a corrupt file is removed and downloaded again.
A download has a connect and read timeout (:data:`DOWNLOAD_TIMEOUT` seconds per network
operation), is held in memory, cleaned, verified, and only then written (to a temporary
name, then renamed), so no partial or raw download is ever left behind. Offline, or
when the server does not answer, :class:`CorpusUnavailableError` names the URL, the
file and the setting to use.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DATA_ENV = "RNNBOOK_DATA_DIR"
# Seconds one network operation (connecting, or waiting for the next bytes) may take: a stalled
# server or proxy fails after at most this long, with the same error as being offline.
DOWNLOAD_TIMEOUT = 15


class CorpusUnavailableError(RuntimeError):
    """The corpus is neither cached nor downloadable (offline, or the server failed)."""


class CorruptCorpusError(RuntimeError):
    """A file with the corpus' name is there, but its contents are not the corpus."""


@dataclass(frozen=True)
class Corpus:
    name: str
    filename: str
    url: str
    sha256: str
    n_chars: int
    licence: str
    # Raw download -> text to store; identity for corpora served as they are.
    clean: Callable[[str], str] = lambda text: text
    # True when only the exact file (by sha256) is accepted; otherwise a looser check:
    # length within 10% and every landmark phrase present.
    exact: bool = True
    landmarks: tuple[str, ...] = ()


def _strip_gutenberg(raw: str) -> str:
    """The body of a Project Gutenberg text: between the START and END marker lines."""
    lines = raw.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("*** START OF")), None)
    end = next((i for i, line in enumerate(lines) if line.startswith("*** END OF")), None)
    if start is None or end is None or end <= start:
        raise CorruptCorpusError(
            "the Project Gutenberg download has no '*** START OF' / '*** END OF' markers; "
            "it is not the expected eBook file"
        )
    return "\n".join(lines[start + 1 : end]).strip() + "\n"


CORPORA = {
    "shakespeare": Corpus(
        name="shakespeare",
        filename="tinyshakespeare.txt",
        url="https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt",
        sha256="86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
        n_chars=1_115_394,
        licence="public domain (Shakespeare); as collected by Andrej Karpathy for char-rnn",
    ),
    "alice": Corpus(
        name="alice",
        filename="alice.txt",
        url="https://www.gutenberg.org/cache/epub/11/pg11.txt",
        sha256="c81037182f75146ff371698a4914ec55f639b81f716db0ac841c03f2d8cfbe0e",
        n_chars=144_412,
        licence="public domain (Project Gutenberg eBook #11)",
        clean=_strip_gutenberg,
        exact=False,
        landmarks=("CHAPTER I.", "Down the Rabbit-Hole", "CHAPTER XII.", "happy summer days"),
    ),
}


def _repo_data_dir() -> Path | None:
    """The book's ``data/`` folder if the current directory is inside the repository."""
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "_toc.yml").is_file() and (folder / "data").is_dir():
            return folder / "data"
    return None


def data_dir() -> Path:
    """The folder where corpora are looked for and cached (see the module docstring).

    Raises :class:`CorpusUnavailableError` when ``$RNNBOOK_DATA_DIR`` names something that
    is not a folder.
    """
    setting = os.environ.get(DATA_ENV)
    if not setting:
        return _repo_data_dir() or Path.home() / ".cache" / "rnnbook"
    folder = Path(os.path.abspath(os.path.expanduser(setting)))
    if folder.exists() and not folder.is_dir():
        raise CorpusUnavailableError(
            f"{DATA_ENV}={setting} points at {folder}, which is a file, not a folder. "
            f"Set {DATA_ENV} to the folder that holds (or should hold) the corpora."
        )
    return folder


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _problem(corpus: Corpus, path: Path) -> str | None:
    """Why ``path`` is not a good copy of ``corpus``, or None when it is."""
    digest = _sha256(path)
    if digest == corpus.sha256:
        return None
    if corpus.exact:
        return f"sha256 is {digest}, expected {corpus.sha256}"
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        return f"it is not UTF-8 text ({err})"
    if not 0.9 * corpus.n_chars <= len(text) <= 1.1 * corpus.n_chars:
        return f"it has {len(text):,} characters, expected about {corpus.n_chars:,}"
    missing = [phrase for phrase in corpus.landmarks if phrase not in text]
    if missing:
        return f"it does not contain {missing}"
    return None


def _how_to_work_offline(corpus: Corpus) -> str:
    return (
        f"If this machine is offline, copy {corpus.filename} (see data/README.md) into a folder "
        f"and set {DATA_ENV} to that folder's absolute path."
    )


def _fetch(corpus: Corpus, target: Path) -> bytes:
    """The raw bytes at ``corpus.url``, read with connect and read timeouts."""
    # Plain urllib rather than keras.utils.get_file: get_file has no timeout, keeps a raw
    # file on disk and quietly switches to a folder under /tmp when the cache is read-only.
    try:
        with urllib.request.urlopen(corpus.url, timeout=DOWNLOAD_TIMEOUT) as response:
            return response.read()
    except (OSError, ValueError) as err:  # URLError, HTTPError, timeouts, refused connections
        timed_out = isinstance(err, TimeoutError) or isinstance(getattr(err, "reason", None), TimeoutError)
        reason = f"no answer within {DOWNLOAD_TIMEOUT} s" if timed_out else err
        missing = "" if target.parent.is_dir() else f" (the folder {target.parent} does not exist)"
        raise CorpusUnavailableError(
            f"could not download the {corpus.name} corpus from {corpus.url} ({reason}).\n"
            f"Expected file: {target}{missing}. {_how_to_work_offline(corpus)}"
        ) from err


def _check_writable(corpus: Corpus, folder: Path) -> None:
    """Refuse up front when the corpus could not be saved in ``folder`` (nothing to fall back to)."""
    existing = next(f for f in (folder, *folder.parents) if f.exists())
    if not existing.is_dir():
        raise CorpusUnavailableError(
            f"cannot create the data folder {folder}: {existing} is a file, not a folder."
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        raise CorpusUnavailableError(
            f"the data folder {folder} has no {corpus.filename} and {existing} is read-only, so it "
            f"cannot be downloaded there. Copy {corpus.filename} into {folder}, or set {DATA_ENV} "
            "to a writable folder."
        )


def _save(text: str, target: Path) -> None:
    """Write ``text`` to ``target`` atomically (temporary name, then rename)."""
    target.parent.mkdir(parents=True, exist_ok=True)  # only now, with a verified corpus in hand
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}-", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _download(corpus: Corpus, target: Path) -> None:
    """Fetch ``corpus.url``, clean and verify it in memory, then write ``target``."""
    _check_writable(corpus, target.parent)
    raw = _fetch(corpus, target)
    try:
        text = corpus.clean(raw.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise CorruptCorpusError(f"the download from {corpus.url} is not UTF-8 text ({err})") from err
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if corpus.exact and digest != corpus.sha256:
        raise CorruptCorpusError(
            f"the download from {corpus.url} is not the {corpus.name} corpus: sha256 is {digest}, "
            f"expected {corpus.sha256}; nothing was saved. {_how_to_work_offline(corpus)}"
        )
    try:
        _save(text, target)
    except OSError as err:
        raise CorpusUnavailableError(
            f"could not save the {corpus.name} corpus as {target} ({err}). Copy {corpus.filename} "
            f"there by hand, or set {DATA_ENV} to a writable folder."
        ) from err


def corpus_path(name: str) -> Path:
    """Path of a verified copy of corpus ``name`` (``"shakespeare"`` or ``"alice"``).

    Downloads the corpus when the data folder has no copy. Raises ``ValueError`` for an
    unknown name, :class:`CorpusUnavailableError` when no verified copy can be had (offline,
    a stalled or failing server, a read-only folder, a setting that is not a folder) and
    :class:`CorruptCorpusError` when a file is there but is not the corpus and cannot be replaced.
    """
    if name not in CORPORA:
        raise ValueError(f"unknown corpus {name!r}; known corpora: {', '.join(CORPORA)}")
    corpus = CORPORA[name]
    path = data_dir() / corpus.filename
    if path.is_dir():
        raise CorruptCorpusError(
            f"{path} is a folder, but it should be the {name} corpus file. Move that folder away "
            f"(it is left as it is), or set {DATA_ENV} to another folder."
        )
    if path.is_file():
        problem = _problem(corpus, path)
        if problem is None:
            return path
        if not os.access(path.parent, os.W_OK):
            raise CorruptCorpusError(
                f"{path} is not the {name} corpus: {problem}. The folder is read-only, so "
                f"replace the file by hand or point {DATA_ENV} elsewhere."
            )
        path.unlink()  # not silently kept: the next lines fetch a good copy or fail loudly
        print(f"{path} was corrupt ({problem}); removed it, downloading again.")
    _download(corpus, path)
    problem = _problem(corpus, path)  # the file as saved, read back
    if problem is not None:
        path.unlink()
        raise CorruptCorpusError(f"the download from {corpus.url} is not the {name} corpus: {problem}")
    return path


def load_text(name: str, max_chars: int | None = None) -> str:
    """The text of corpus ``name`` (optionally only its first ``max_chars`` characters)."""
    if max_chars is not None and max_chars <= 0:
        raise ValueError(f"max_chars must be a positive number of characters, got {max_chars}")
    text = corpus_path(name).read_text(encoding="utf-8")
    return text if max_chars is None else text[:max_chars]
