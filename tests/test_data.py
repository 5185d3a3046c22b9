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
    start = time.monotonic()
    with pytest.raises(data.CorpusUnavailableError) as info:
        data.load_text("shakespeare")
    elapsed = time.monotonic() - start
    assert accepted, "the download never reached the server"
    assert elapsed < 30, f"took {elapsed:.0f} s"
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
