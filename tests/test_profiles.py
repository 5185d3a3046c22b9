import pytest

from rnnbook import profiles


def test_every_chapter_has_every_profile_with_the_same_keys():
    for chapter, by_profile in profiles.SIZES.items():
        assert set(by_profile) == set(profiles.PROFILES), chapter
        keys = {name: set(sizes) for name, sizes in by_profile.items()}
        assert keys["quick"] == keys["cpu"] == keys["gpu"], chapter


def test_profile_from_environment(monkeypatch):
    monkeypatch.setenv(profiles.PROFILE_ENV, "CPU")
    assert profiles.current() == "cpu"
    assert profiles.sizes("ch02").profile == "cpu"


def test_unknown_profile_is_a_clear_error(monkeypatch):
    monkeypatch.setenv(profiles.PROFILE_ENV, "fast")
    with pytest.raises(ValueError, match="quick, cpu, gpu"):
        profiles.current()


def test_unset_profile_autodetects(monkeypatch):
    monkeypatch.delenv(profiles.PROFILE_ENV, raising=False)
    monkeypatch.setattr(profiles, "gpu_available", lambda: False)
    assert profiles.current() == "cpu"
    monkeypatch.setattr(profiles, "gpu_available", lambda: True)
    assert profiles.current() == "gpu"


def test_unknown_chapter_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown chapter 'ch99'"):
        profiles.sizes("ch99", "quick")


def test_show_prints_the_profile_and_sizes(capsys):
    profiles.show(profiles.sizes("ch04", "quick"))
    out = capsys.readouterr().out
    assert out.startswith("profile: quick")
    assert "n_hidden" in out
