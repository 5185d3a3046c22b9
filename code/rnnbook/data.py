"""The book's corpora: downloaded on first use, verified, cached.

Where the files are looked for, in order:

1. ``$RNNBOOK_DATA_DIR`` when it is set (tests and offline machines point it at a
   folder that already holds the files; downloads go there too if it is writable);
2. otherwise the book's own ``data/`` folder when running inside the repository;
3. otherwise ``~/.cache/rnnbook`` (for example in Colab).

A cached file is verified (sha256 for tiny Shakespeare; a looser check for Alice,
whose raw Project Gutenberg download differs by edition and whitespace). A corrupt
file is removed and downloaded again; offline with no usable copy raises
:class:`CorpusUnavailableError` naming the URL, the file and the setting to use.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DATA_ENV = "RNNBOOK_DATA_DIR"


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
    """The folder where corpora are looked for and cached (see the module docstring)."""
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV]).expanduser()
    return _repo_data_dir() or Path.home() / ".cache" / "rnnbook"


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


def _download(corpus: Corpus, target: Path) -> None:
    """Fetch ``corpus.url`` with Keras' downloader, clean it, write ``target``."""
    try:
        import keras  # imported here: the NumPy chapters never need it unless they download
    except ImportError as err:  # pragma: no cover - Colab and requirements.txt both have keras
        raise CorpusUnavailableError(
            f"downloading {corpus.url} needs the 'keras' package ({err}); install it, or "
            f"put {corpus.filename} in a folder and set {DATA_ENV} to that folder."
        ) from err
    target.parent.mkdir(parents=True, exist_ok=True)
    raw_name = "raw-" + corpus.filename
    try:
        raw_path = keras.utils.get_file(
            raw_name,
            origin=corpus.url,
            cache_dir=str(target.parent),
            cache_subdir="",
            file_hash=corpus.sha256 if corpus.exact else None,
        )
    except Exception as err:  # network errors and hash mismatches arrive as plain Exceptions
        (target.parent / raw_name).unlink(missing_ok=True)  # never keep a bad download
        raise CorpusUnavailableError(
            f"could not download the {corpus.name} corpus from {corpus.url} ({err}).\n"
            f"Expected file: {target}. If this machine is offline, copy {corpus.filename} "
            f"into a folder and set {DATA_ENV} to it (tests use ../shared/data)."
        ) from err
    raw_path = Path(raw_path)
    text = corpus.clean(raw_path.read_text(encoding="utf-8"))
    target.write_text(text, encoding="utf-8")
    if raw_path != target:
        raw_path.unlink(missing_ok=True)


def corpus_path(name: str) -> Path:
    """Path of a verified copy of corpus ``name`` (``"shakespeare"`` or ``"alice"``)."""
    if name not in CORPORA:
        raise ValueError(f"unknown corpus {name!r}; known corpora: {', '.join(CORPORA)}")
    corpus = CORPORA[name]
    path = data_dir() / corpus.filename
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
    problem = _problem(corpus, path)
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
