"""Mixed precision for chapter 8: compute in bfloat16 where the CPU does it natively.

A float32 number has an 8-bit exponent and a 24-bit significand; **bfloat16** keeps the
8-bit exponent and cuts the significand to 8 bits (Wang & Kanwar 2019, "BFloat16: the
secret to high performance on Cloud TPUs"). Same range, so no loss scaling is needed
(unlike float16), and half the bytes per number. Under Keras' ``"mixed_bfloat16"`` dtype
policy a layer keeps its *variables* in float32 (the optimizer updates float32 weights)
and computes its matrix products and activations in bfloat16 (Micikevicius et al. 2018,
"Mixed precision training", for the scheme; Kalamkar et al. 2019, "A study of BFLOAT16
for deep learning training", for bfloat16 in it).

It pays only where the hardware multiplies bfloat16 natively: on x86 the AVX-512 BF16 or
AMX-BF16 instructions (recent AMD EPYC and Intel Xeon). Elsewhere the conversions cost
more than they save, so :func:`training_policy` falls back to float32. A GPU keeps float32
here (a T4 has no bfloat16 units; float16 there needs loss scaling, which this book does
not set up).
"""

from __future__ import annotations

from pathlib import Path

# /proc/cpuinfo flags of x86 CPUs that multiply bfloat16 in hardware.
BF16_FLAGS = ("avx512_bf16", "amx_bf16")
POLICIES = ("float32", "mixed_bfloat16")
CPUINFO = Path("/proc/cpuinfo")


def native_bfloat16(cpuinfo: str | None = None) -> bool:
    """True when the CPU has a bfloat16 instruction set (a flag in ``BF16_FLAGS``).

    ``cpuinfo`` is the text of ``/proc/cpuinfo`` (read from the file when None; a machine
    without that file, such as macOS or Windows, gives False).
    """
    if cpuinfo is None:
        try:
            cpuinfo = CPUINFO.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return False
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "flags" and any(flag in value.split() for flag in BF16_FLAGS):
            return True
    return False


def training_policy(mixed: bool, *, gpu: bool | None = None, cpuinfo: str | None = None) -> str:
    """The Keras dtype policy to train with: ``"mixed_bfloat16"`` or ``"float32"``.

    Mixed precision only when ``mixed`` is asked for, there is no GPU (``gpu`` None: ask
    TensorFlow) and the CPU multiplies bfloat16 natively (:func:`native_bfloat16`).
    """
    if not isinstance(mixed, bool):
        raise ValueError(f"mixed must be True or False, got {mixed!r}")
    if not mixed:
        return "float32"
    if gpu is None:
        from rnnbook import profiles

        gpu = profiles.gpu_available()
    return "mixed_bfloat16" if not gpu and native_bfloat16(cpuinfo) else "float32"
