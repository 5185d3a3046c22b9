"""Corpora: verified cached copies, corrupt files, offline errors, and a real (file://) download."""

import hashlib
import sys
import types
from pathlib import Path

import pytest

from rnnbook import data


@pytest.fixture
def empty_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(data.DATA_ENV, str(tmp_path))
    return tmp_path


@pytest.fixture
def offline(monkeypatch):
    """A stand-in for keras whose downloader fails the way it does without a network."""
    calls = []

    def get_file(fname, origin, **kwargs):
        calls.append(origin)
        raise Exception(f"URL fetch failure on {origin}: [Errno -3] Temporary failure in name resolution")

    fake = types.SimpleNamespace(utils=types.SimpleNamespace(get_file=get_file))
    monkeypatch.setitem(sys.modules, "keras", fake)
    return calls


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
    assert data.CORPORA["shakespeare"].url in message
    assert "tinyshakespeare.txt" in message
    assert data.DATA_ENV in message
    assert offline == [data.CORPORA["shakespeare"].url]


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
    with pytest.raises(data.CorpusUnavailableError, match="could not download"):
        data.corpus_path("shakespeare")
    assert not any(p.name.endswith("tinyshakespeare.txt") for p in empty_data_dir.iterdir())


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
