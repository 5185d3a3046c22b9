"""Corpora: verified cached copies, corrupt files, offline errors, and a real (file://) download."""

import hashlib
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from rnnbook import data

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def empty_data_dir(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv(data.DATA_ENV, str(folder))
    return folder


def _closed_port() -> int:
    """A local port where nothing listens: connecting to it is refused at once, as offline."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _with_url(monkeypatch, name: str, url: str):
    corpus = data.CORPORA[name]
    monkeypatch.setitem(data.CORPORA, name, data.Corpus(**{**corpus.__dict__, "url": url}))
    return url


@pytest.fixture
def offline(monkeypatch):
    """Every corpus URL points at a local port where nothing listens (a real network failure)."""
    port = _closed_port()
    return {
        name: _with_url(monkeypatch, name, f"http://127.0.0.1:{port}/{name}.txt") for name in data.CORPORA
    }


def test_data_dir_setting(monkeypatch, tmp_path):
    monkeypatch.setenv(data.DATA_ENV, str(tmp_path))
    assert data.data_dir() == tmp_path


def test_verified_copy_is_used(shared_data_dir, monkeypatch):
    monkeypatch.setenv(data.DATA_ENV, str(shared_data_dir))
    text = data.load_text("shakespeare")
    assert len(text) == 1_115_394
    assert text.startswith("First Citizen:")
    assert data.load_text("shakespeare", max_chars=100) == text[:100]
    alice = data.load_text("alice")
    assert "Down the Rabbit-Hole" in alice


def test_offline_without_cache_names_url_file_and_setting(empty_data_dir, offline):
    with pytest.raises(data.CorpusUnavailableError) as info:
        data.load_text("shakespeare")
    message = str(info.value)
    assert offline["shakespeare"] in message
    assert str(empty_data_dir / "tinyshakespeare.txt") in message
    assert data.DATA_ENV in message
    assert list(empty_data_dir.iterdir()) == []


def test_corrupt_file_is_removed_not_kept(empty_data_dir, offline):
    bad = empty_data_dir / "tinyshakespeare.txt"
    bad.write_text("this is not Shakespeare")
    with pytest.raises(data.CorpusUnavailableError):
        data.load_text("shakespeare")
    assert not bad.exists()


def test_corrupt_file_in_read_only_folder_is_a_clear_error(empty_data_dir, monkeypatch):
    (empty_data_dir / "tinyshakespeare.txt").write_text("truncated")
    # Tests run as root, where chmod does not bind: pretend the folder is read-only.
    monkeypatch.setattr(data.os, "access", lambda path, mode: False)
    with pytest.raises(data.CorruptCorpusError, match="sha256 is .* expected 86c4e6.*read-only"):
        data.load_text("shakespeare")
    assert (empty_data_dir / "tinyshakespeare.txt").exists()  # not ours to delete


def test_unknown_corpus_and_bad_max_chars():
    with pytest.raises(ValueError, match="unknown corpus 'hamlet'"):
        data.corpus_path("hamlet")
    with pytest.raises(ValueError, match="max_chars"):
        data.load_text("shakespeare", max_chars=0)


def _serve(monkeypatch, name: str, source: Path):
    """Point a corpus' URL at a local file (keras.utils.get_file accepts file:// origins)."""
    corpus = data.CORPORA[name]
    local = data.Corpus(**{**corpus.__dict__, "url": source.resolve().as_uri()})
    monkeypatch.setitem(data.CORPORA, name, local)


def test_real_download_and_verification(shared_data_dir, empty_data_dir, monkeypatch):
    _serve(monkeypatch, "shakespeare", shared_data_dir / "tinyshakespeare.txt")
    path = data.corpus_path("shakespeare")
    assert path == empty_data_dir / "tinyshakespeare.txt"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == data.CORPORA["shakespeare"].sha256
    assert sorted(p.name for p in empty_data_dir.iterdir()) == ["tinyshakespeare.txt"]


def test_download_with_wrong_checksum_is_not_kept(tmp_path, empty_data_dir, monkeypatch):
    source = tmp_path / "served.txt"
    source.write_text("not the corpus")
    _serve(monkeypatch, "shakespeare", source)
    with pytest.raises(data.CorruptCorpusError, match="sha256 is .* nothing was saved"):
        data.corpus_path("shakespeare")
    assert list(empty_data_dir.iterdir()) == []  # neither the file nor a raw or partial download


def test_gutenberg_download_is_stripped_and_checked_loosely(
    shared_data_dir, tmp_path, empty_data_dir, monkeypatch
):
    body = (shared_data_dir / "alice.txt").read_text(encoding="utf-8")
    raw = tmp_path / "pg11.txt"
    raw.write_text(
        "The Project Gutenberg eBook\n*** START OF THE PROJECT GUTENBERG EBOOK 11 ***\n\n"
        + body
        + "\n*** END OF THE PROJECT GUTENBERG EBOOK 11 ***\nLicence text\n",
        encoding="utf-8",
    )
    _serve(monkeypatch, "alice", raw)
    text = data.load_text("alice")
    assert text.startswith("ALICE") and "Licence text" not in text and "*** START" not in text
    assert abs(len(text) - len(body)) < 10


def test_gutenberg_download_without_markers_is_rejected():
    with pytest.raises(data.CorruptCorpusError, match="START OF"):
        data.CORPORA["alice"].clean("no markers here")


# --- faults of the network and of the file system (issue 9, section 2) -------------------------


@pytest.fixture
def stalled_server():
    """A local server that accepts connections and never answers (like a hung proxy)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    accepted, stop = [], threading.Event()

    def hold():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/input.txt", accepted
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    server.close()


def test_a_stalled_server_fails_within_30_s_like_offline(stalled_server, empty_data_dir, monkeypatch):
    url, accepted = stalled_server
    _with_url(monkeypatch, "shakespeare", url)
    assert data.DOWNLOAD_TIMEOUT <= 15  # connect, then one read: both within 30 s
    monkeypatch.setattr(data, "DOWNLOAD_TIMEOUT", 1)  # the same path, without waiting 15 s
    start = time.monotonic()
    with pytest.raises(data.CorpusUnavailableError) as info:
        data.load_text("shakespeare")
    elapsed = time.monotonic() - start
    assert accepted, "the download never reached the server"
    assert elapsed < 2 * data.DOWNLOAD_TIMEOUT + 1, f"took {elapsed:.0f} s"
    message = str(info.value)
    assert url in message and f"no answer within {data.DOWNLOAD_TIMEOUT} s" in message
    assert str(empty_data_dir / "tinyshakespeare.txt") in message and data.DATA_ENV in message
    assert list(empty_data_dir.iterdir()) == []


def test_a_folder_where_the_corpus_should_be_is_a_clear_error(empty_data_dir, offline):
    (empty_data_dir / "tinyshakespeare.txt").mkdir()
    (empty_data_dir / "tinyshakespeare.txt" / "mine.txt").write_text("a user's file")
    with pytest.raises(data.CorruptCorpusError, match="tinyshakespeare.txt is a folder.*Move that folder"):
        data.load_text("shakespeare")
    assert (empty_data_dir / "tinyshakespeare.txt" / "mine.txt").is_file()  # left as it was


def test_a_setting_that_points_at_a_file_is_a_clear_error(tmp_path, monkeypatch, offline):
    regular = tmp_path / "tinyshakespeare.txt"
    regular.write_text("a file, not a folder")
    monkeypatch.setenv(data.DATA_ENV, str(regular))
    with pytest.raises(data.CorpusUnavailableError, match=f"{data.DATA_ENV}=.*is a file, not a folder"):
        data.load_text("shakespeare")
    assert regular.read_text() == "a file, not a folder"


def test_a_read_only_folder_without_the_corpus_is_refused_before_downloading(empty_data_dir, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("nothing should be downloaded into a read-only folder")

    monkeypatch.setattr(data.urllib.request, "urlopen", no_network)
    # Tests run as root, where chmod does not bind: pretend the folder is read-only.
    monkeypatch.setattr(data.os, "access", lambda path, mode: False)
    with pytest.raises(data.CorpusUnavailableError) as info:
        data.load_text("shakespeare")
    message = str(info.value)
    assert f"{empty_data_dir} has no tinyshakespeare.txt" in message and "read-only" in message
    assert data.DATA_ENV in message
    assert list(empty_data_dir.iterdir()) == []


def test_a_failed_save_leaves_nothing_and_says_what_to_do(shared_data_dir, empty_data_dir, monkeypatch):
    _serve(monkeypatch, "shakespeare", shared_data_dir / "tinyshakespeare.txt")

    def disk_full(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(data.os, "replace", disk_full)
    with pytest.raises(data.CorpusUnavailableError, match="No space left.*writable folder"):
        data.load_text("shakespeare")
    assert list(empty_data_dir.iterdir()) == []  # the temporary file is gone too


def test_a_missing_data_folder_is_not_created_when_the_download_fails(tmp_path, monkeypatch, offline):
    missing = tmp_path / "not" / "yet"
    monkeypatch.setenv(data.DATA_ENV, str(missing))
    with pytest.raises(data.CorpusUnavailableError, match="does not exist"):
        data.load_text("shakespeare")
    assert not (tmp_path / "not").exists()


def test_a_missing_data_folder_is_created_for_a_verified_download(shared_data_dir, tmp_path, monkeypatch):
    missing = tmp_path / "not" / "yet"
    monkeypatch.setenv(data.DATA_ENV, str(missing))
    _serve(monkeypatch, "shakespeare", shared_data_dir / "tinyshakespeare.txt")
    assert data.corpus_path("shakespeare") == missing / "tinyshakespeare.txt"
    assert [p.name for p in missing.iterdir()] == ["tinyshakespeare.txt"]


def _one_character_changed(shared_data_dir) -> bytes:
    good = (shared_data_dir / "tinyshakespeare.txt").read_bytes()
    index = good.index(b"First Citizen") + 1
    return good[:index] + b"j" + good[index + 1 :]  # "Fjrst Citizen": same length


def test_a_corrupt_corpus_of_the_right_length_is_caught(shared_data_dir, empty_data_dir, offline):
    bad = _one_character_changed(shared_data_dir)
    assert len(bad) == (shared_data_dir / "tinyshakespeare.txt").stat().st_size
    (empty_data_dir / "tinyshakespeare.txt").write_bytes(bad)
    with pytest.raises(data.CorpusUnavailableError):
        data.load_text("shakespeare")
    assert not (empty_data_dir / "tinyshakespeare.txt").exists()


def test_a_corrupt_corpus_is_replaced_by_a_verified_download(shared_data_dir, empty_data_dir, monkeypatch):
    (empty_data_dir / "tinyshakespeare.txt").write_bytes(_one_character_changed(shared_data_dir))
    _serve(monkeypatch, "shakespeare", shared_data_dir / "tinyshakespeare.txt")
    assert data.load_text("shakespeare").startswith("First Citizen:")


def test_a_download_of_the_right_length_but_wrong_bytes_is_not_saved(
    shared_data_dir, tmp_path, empty_data_dir, monkeypatch
):
    served = tmp_path / "served.txt"
    served.write_bytes(_one_character_changed(shared_data_dir))
    _serve(monkeypatch, "shakespeare", served)
    with pytest.raises(data.CorruptCorpusError, match="sha256 is"):
        data.load_text("shakespeare")
    assert list(empty_data_dir.iterdir()) == []


def test_a_relative_setting_is_resolved_against_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(data.DATA_ENV, "corpora")
    assert data.data_dir() == tmp_path / "corpora"
    assert not (tmp_path / "corpora").exists()


def test_the_setting_the_tests_see_is_absolute():
    """Notebook kernels inherit it and start in chapters/: a relative path would point elsewhere."""
    setting = os.environ.get(data.DATA_ENV)
    assert setting is None or Path(setting).is_absolute()
    expected = os.environ.get("RNNBOOK_TEST_EXPECTED_DATA_DIR")  # set by the test below
    assert expected is None or setting == expected


def test_the_test_suite_makes_a_relative_setting_absolute(tmp_path):
    """The root conftest.py resolves the setting where pytest starts, before any kernel starts."""
    env = {
        **os.environ,
        data.DATA_ENV: "../shared/data",
        "RNNBOOK_TEST_EXPECTED_DATA_DIR": str(REPO.parent / "shared" / "data"),
    }
    test = "tests/test_data.py::test_the_setting_the_tests_see_is_absolute"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout + result.stderr


def test_missing_corpora_fail_under_ci_and_skip_elsewhere(tmp_path, monkeypatch):
    from tests import conftest
    from tests.conftest import find_shared_data

    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(pytest.fail.Exception, match="no folder with the corpora"):
        find_shared_data({"RNNBOOK_DATA_DIR": str(empty)})  # set, but without the files
    with pytest.raises(pytest.fail.Exception):
        find_shared_data({"CI": "true", "RNNBOOK_DATA_DIR": str(tmp_path / "missing")})
    monkeypatch.setattr(conftest, "REPO", tmp_path / "repo")  # no ../shared/data beside it
    with pytest.raises(pytest.fail.Exception):
        find_shared_data({"CI": "1"})
    with pytest.raises(pytest.skip.Exception, match="set RNNBOOK_DATA_DIR"):
        find_shared_data({})


# --- mutation testing (issue 16): values the surviving mutants of rnnbook.data changed ----------

GUTENBERG_NO_MARKERS = (
    "the Project Gutenberg download has no '*** START OF' / '*** END OF' markers; "
    "it is not the expected eBook file"
)


@pytest.mark.parametrize(
    "raw",
    [
        "*** START OF THE EBOOK ***\nbody without an end\n",  # only the start marker
        "body without a start\n*** END OF THE EBOOK ***\n",  # only the end marker
        "*** END OF THE EBOOK ***\nbody\n*** START OF THE EBOOK ***\n",  # the wrong way round
    ],
)
def test_gutenberg_markers_missing_or_reversed_are_one_clear_error(raw):
    with pytest.raises(data.CorruptCorpusError) as info:
        data.CORPORA["alice"].clean(raw)
    assert str(info.value) == GUTENBERG_NO_MARKERS


def test_gutenberg_body_is_exactly_the_lines_between_the_markers():
    raw = "header\n*** START OF X ***\nfirst line\n\nlast line  \n*** END OF X ***\nlicence\n"
    assert data.CORPORA["alice"].clean(raw) == "first line\n\nlast line\n"


def _loose_corpus(n_chars: int, landmarks=("mark",)) -> data.Corpus:
    """A corpus checked loosely (like Alice) whose sha256 never matches."""
    return data.Corpus(
        "tiny",
        "tiny.txt",
        "http://127.0.0.1:9/tiny.txt",
        "0" * 64,
        n_chars,
        "test",
        exact=False,
        landmarks=landmarks,
    )


@pytest.mark.parametrize(
    ("length", "accepted"),
    [(8, False), (9, True), (10, True), (11, True), (12, False), (15, False), (5, False)],
)
def test_loose_check_accepts_lengths_within_ten_percent_bounds_included(tmp_path, length, accepted):
    corpus = _loose_corpus(10)  # 0.9 * 10 and 1.1 * 10 are exactly 9 and 11
    path = tmp_path / "tiny.txt"
    path.write_text("mark" + "x" * (length - 4), encoding="utf-8")
    problem = data._problem(corpus, path)
    if accepted:
        assert problem is None
    else:
        assert problem == f"it has {length:,} characters, expected about 10"


def test_loose_check_needs_every_landmark(tmp_path):
    path = tmp_path / "tiny.txt"
    path.write_text("mark and more", encoding="utf-8")
    assert data._problem(_loose_corpus(13, ("mark", "more")), path) is None
    assert data._problem(_loose_corpus(13, ("mark", "gone", "lost")), path) == (
        "it does not contain ['gone', 'lost']"
    )


def test_loose_check_refuses_a_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "tiny.txt"
    path.write_bytes(b"mark \xff\xfe")
    assert data._problem(_loose_corpus(7), path).startswith("it is not UTF-8 text (")


def test_save_writes_through_a_hidden_temporary_file_beside_the_target(tmp_path, monkeypatch):
    moves = []
    real_replace = os.replace
    monkeypatch.setattr(
        data.os, "replace", lambda src, dst: (moves.append((src, dst)), real_replace(src, dst))
    )
    target = tmp_path / "corpus.txt"
    data._save("line one\r\nline two\n", target)
    assert target.read_bytes() == b"line one\r\nline two\n"  # newlines kept as they are
    ((temporary, destination),) = moves
    temporary = Path(temporary)
    assert destination == target and temporary.parent == tmp_path
    assert temporary.name.startswith(".corpus.txt-") and temporary.name.endswith(".part")
    assert not temporary.exists()


def test_save_cleanup_never_hides_the_original_error(tmp_path, monkeypatch):
    def replace_that_loses_the_file(src, dst):
        os.unlink(src)
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(data.os, "replace", replace_that_loses_the_file)
    with pytest.raises(OSError, match="Input/output error") as info:
        data._save("text", tmp_path / "corpus.txt")
    assert not isinstance(info.value, FileNotFoundError)
    assert list(tmp_path.iterdir()) == []


def test_max_chars_of_one_is_the_first_character(shared_data_dir, monkeypatch):
    monkeypatch.setenv(data.DATA_ENV, str(shared_data_dir))
    assert data.load_text("shakespeare", max_chars=1) == "F"
    with pytest.raises(ValueError, match="max_chars must be a positive number of characters, got -3"):
        data.load_text("shakespeare", max_chars=-3)


def test_corpora_are_utf8_files_in_any_locale(tmp_path, monkeypatch):
    """Under an ASCII locale (LC_ALL=C without UTF-8 mode) a non-ASCII corpus still round-trips."""
    # Here first (so that mutation testing sees which functions this test covers), then in a
    # process whose locale encoding is ASCII.
    text = "café and naïve mark\n"
    tiny = data.Corpus(
        "tiny", "tiny.txt", "http://127.0.0.1:9/t", "0" * 64, len(text), "t", exact=False, landmarks=("café",)
    )
    monkeypatch.setitem(data.CORPORA, "tiny", tiny)
    monkeypatch.setenv(data.DATA_ENV, str(tmp_path / "here"))
    data._save(text, tmp_path / "here" / "tiny.txt")
    assert data.load_text("tiny") == text
    script = f"""
import hashlib, os, sys
from rnnbook import data
assert sys.getfilesystemencoding() and __import__("locale").getpreferredencoding(False) != "UTF-8"
text = "caf\\u00e9 and na\\u00efve mark\\n"
folder = {str(tmp_path)!r}
data.CORPORA["tiny"] = data.Corpus("tiny", "tiny.txt", "http://127.0.0.1:9/t", "0" * 64, len(text), "t",
                                   exact=False, landmarks=("caf\\u00e9",))
data._save(text, data.Path(folder) / "tiny.txt")
os.environ[data.DATA_ENV] = folder
assert data.load_text("tiny") == text, data.load_text("tiny")
print("ok")
"""
    env = {
        **os.environ,
        "LC_ALL": "C",
        "PYTHONCOERCECLOCALE": "0",
        "PYTHONUTF8": "0",
        "PYTHONPATH": str(Path(data.__file__).resolve().parents[1]),
    }
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and result.stdout == "ok\n", result.stderr[-2000:]
    assert (tmp_path / "tiny.txt").read_bytes() == "café and naïve mark\n".encode()


def _book_folder(root: Path) -> Path:
    """A folder that looks like the book's repository: ``_toc.yml`` and ``data/``."""
    (root / "data").mkdir(parents=True)
    (root / "_toc.yml").write_text("root: intro\n")
    (root / "chapters").mkdir()
    return root


def test_without_the_setting_the_books_data_folder_is_found_from_any_subfolder(tmp_path, monkeypatch):
    monkeypatch.delenv(data.DATA_ENV, raising=False)
    book = _book_folder(tmp_path / "book")
    monkeypatch.chdir(book / "chapters")
    assert data.data_dir() == (book / "data").resolve()
    monkeypatch.chdir(book)
    assert data.data_dir() == (book / "data").resolve()


def test_without_the_setting_or_the_book_the_user_cache_is_used(tmp_path, monkeypatch):
    monkeypatch.delenv(data.DATA_ENV, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    half = tmp_path / "half"  # a _toc.yml without data/, and a data/ without _toc.yml
    (half / "data").mkdir(parents=True)
    (half / "inner").mkdir()
    (half / "inner" / "_toc.yml").write_text("root: intro\n")
    for where in (half, half / "inner"):
        monkeypatch.chdir(where)
        assert data._repo_data_dir() is None
        assert data.data_dir() == tmp_path / "home" / ".cache" / "rnnbook"


def test_a_refused_connection_is_reported_as_it_is(empty_data_dir, offline):
    with pytest.raises(data.CorpusUnavailableError) as info:
        data.load_text("shakespeare")
    message = str(info.value)
    assert "Connection refused" in message and "no answer within" not in message
    # The folder exists: the message says nothing about a missing folder.
    assert f"Expected file: {empty_data_dir / 'tinyshakespeare.txt'}. If this machine is offline" in message


def test_a_file_among_the_settings_parents_is_named(tmp_path, monkeypatch, offline):
    blocker = tmp_path / "corpora"
    blocker.write_text("a file, not a folder")
    monkeypatch.setenv(data.DATA_ENV, str(blocker / "inner"))
    with pytest.raises(data.CorpusUnavailableError) as info:
        data.load_text("shakespeare")
    assert str(info.value) == (
        f"cannot create the data folder {blocker / 'inner'}: {blocker} is a file, not a folder."
    )


def test_a_folder_without_write_permission_is_refused_even_if_it_can_be_read(empty_data_dir, monkeypatch):
    def access(path, mode):  # readable and searchable, but not writable
        return not mode & os.W_OK

    monkeypatch.setattr(data.os, "access", access)
    with pytest.raises(data.CorpusUnavailableError) as info:
        data.load_text("shakespeare")
    assert str(info.value).endswith(f"or set {data.DATA_ENV} to a writable folder.")
    assert "is read-only" in str(info.value)


def test_a_download_that_is_not_utf8_is_named(tmp_path, empty_data_dir, monkeypatch):
    source = tmp_path / "served.txt"
    source.write_bytes(b"First Citizen:\xff\xfe")
    _serve(monkeypatch, "shakespeare", source)
    with pytest.raises(data.CorruptCorpusError, match=r"the download from file:.* is not UTF-8 text \("):
        data.load_text("shakespeare")
    assert list(empty_data_dir.iterdir()) == []


def test_unknown_corpus_lists_the_known_ones():
    with pytest.raises(ValueError) as info:
        data.corpus_path("hamlet")
    assert str(info.value) == "unknown corpus 'hamlet'; known corpora: shakespeare, alice"


def test_a_corrupt_copy_is_announced_before_downloading_again(
    shared_data_dir, empty_data_dir, monkeypatch, capsys
):
    bad = empty_data_dir / "tinyshakespeare.txt"
    bad.write_text("not Shakespeare")
    _serve(monkeypatch, "shakespeare", shared_data_dir / "tinyshakespeare.txt")
    data.corpus_path("shakespeare")
    digest = hashlib.sha256(b"not Shakespeare").hexdigest()
    assert capsys.readouterr().out == (
        f"{bad} was corrupt (sha256 is {digest}, expected {data.CORPORA['shakespeare'].sha256}); "
        "removed it, downloading again.\n"
    )


def test_a_loosely_checked_download_is_read_back_and_refused_when_wrong(
    tmp_path, empty_data_dir, monkeypatch
):
    """Alice is not checked by sha256 before saving: the saved copy is checked, and removed."""
    raw = tmp_path / "pg11.txt"
    raw.write_text("*** START OF THE EBOOK ***\nnot Alice\n*** END OF THE EBOOK ***\n", encoding="utf-8")
    _serve(monkeypatch, "alice", raw)
    with pytest.raises(data.CorruptCorpusError) as info:
        data.corpus_path("alice")
    assert str(info.value) == (
        f"the download from {raw.resolve().as_uri()} is not the alice corpus: "
        "it has 10 characters, expected about 144,412"
    )
    assert list(empty_data_dir.iterdir()) == []
