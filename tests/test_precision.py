"""rnnbook.precision: when chapter 8 trains in mixed bfloat16."""

import pytest

from rnnbook import precision

ZEN4 = "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu sse2 avx2 avx512f avx512_bf16 avx512_vnni\n"
SAPPHIRE = "flags\t\t: fpu avx512f amx_bf16 amx_tile amx_int8\nvmx flags\t: vnmi\n"
SKYLAKE = "flags\t\t: fpu sse2 avx2 avx512f avx512bw avx512_vnni\nvmx flags\t: avx512_bf16\n"


@pytest.mark.parametrize(
    "cpuinfo, native",
    [
        (ZEN4, True),
        (SAPPHIRE, True),
        (SKYLAKE, False),  # the flag under another key does not count
        ("flags\t: avx512_bf16x avx512f\n", False),  # whole flags only
        ("", False),
    ],
)
def test_native_bfloat16_reads_the_flags_line(cpuinfo, native):
    assert precision.native_bfloat16(cpuinfo) is native


def test_native_bfloat16_is_false_without_cpuinfo(monkeypatch, tmp_path):
    monkeypatch.setattr(precision, "CPUINFO", tmp_path / "missing")
    assert precision.native_bfloat16() is False
    (tmp_path / "cpuinfo").write_text(ZEN4)
    monkeypatch.setattr(precision, "CPUINFO", tmp_path / "cpuinfo")
    assert precision.native_bfloat16() is True


@pytest.mark.parametrize(
    "mixed, gpu, cpuinfo, policy",
    [
        (True, False, ZEN4, "mixed_bfloat16"),
        (True, False, SKYLAKE, "float32"),  # no native bfloat16: slower, not faster
        (True, True, ZEN4, "float32"),  # a GPU keeps float32
        (False, False, ZEN4, "float32"),  # not asked for
    ],
)
def test_training_policy(mixed, gpu, cpuinfo, policy):
    assert precision.training_policy(mixed, gpu=gpu, cpuinfo=cpuinfo) == policy


@pytest.mark.parametrize("mixed", [1, "yes", None])
def test_training_policy_wants_a_bool(mixed):
    with pytest.raises(ValueError, match="mixed must be True or False, got"):
        precision.training_policy(mixed, gpu=False, cpuinfo=ZEN4)
