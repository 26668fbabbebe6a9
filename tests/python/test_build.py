"""Properties of the compiled code that no C test can see from inside."""
import os
import re
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The optimised build first; make test passes its three builds.
BUILDS = os.environ.get("LG_BUILDS", os.environ.get("LG_BUILD", "build") + " build-asan build-fuzz").split()


def disassemble(build, archive):
    """objdump's listing of one of the build's archives (a failure for the
    optimised build if it is missing, a skip for the others)."""
    lib = os.path.join(ROOT, build, archive)
    if not os.path.exists(lib):
        if build == BUILDS[0]:
            pytest.fail(f"{lib}: no such library; run make build first")
        pytest.skip(f"{build} not built")
    return subprocess.run(["objdump", "-d", lib], check=True, capture_output=True, text=True).stdout


def fused(asm):
    return sorted(set(re.findall(r"\bv?fn?m(?:add|sub)\w*", asm)))


def function_asm(asm, name):
    """The disassembly of one function of an objdump listing."""
    m = re.search(rf"^[0-9a-f]+ <{name}>:\n(.*?)(?:\n\n|\Z)", asm, re.S | re.M)
    return m.group(1) if m else ""


@pytest.mark.parametrize("build", BUILDS)
def test_network_core_has_no_fused_multiply_add(build):
    """Every vector instruction set gives the same bits only without FMA
    (docs/nn.md): no fused instruction in the network core, whichever
    compiler built it (build-fuzz is clang's)."""
    asm = disassemble(build, "liblivegym_nn.a")
    assert "block_avx2" in asm and "ymm" in asm, "the AVX2 tiles are missing"
    assert fused(asm) == [], f"fused multiply-add in the network core of {build}: {fused(asm)}"


@pytest.mark.parametrize("build", BUILDS)
def test_world_loops_have_no_fused_multiply_add(build):
    """The world's per-channel loops (env/live/channel_math.c) run on every
    vector set with the same bits (docs/model.md): no fused instruction in
    the env layer, and in the optimised build the AVX-512 and AVX2 variants
    of the popularity draws are vectorised (else they would run, slowly, as
    scalar code)."""
    asm = disassemble(build, "liblivegym_core.a")
    assert fused(asm) == [], f"fused multiply-add in the env layer of {build}: {fused(asm)}"
    if build == BUILDS[0]:
        body = function_asm(asm, "normal_avx512")
        assert "zmm" in body and "vpmullq" in body, "the AVX-512 popularity draws are not vectorised"
        assert "ymm" in function_asm(asm, "normal_avx2"), "the AVX2 popularity draws are not vectorised"


def shared_register_broadcasts(body):
    """Register broadcasts (vbroadcastss to a zmm) whose register feeds more
    than one multiply before it is written again."""
    lines = body.splitlines()
    shared = []
    for n, line in enumerate(lines):
        m = re.search(r"vbroadcastss [^\n]*,(%zmm\d+)$", line.strip())
        if not m:
            continue
        reg, uses = m.group(1), 0
        for later in lines[n + 1:]:
            regs = re.findall(r"%zmm\d+", later.split("\t")[-1])
            if "vmulps" in later and reg in regs[:-1]:
                uses += 1
            if regs and regs[-1] == reg:  # written again
                break
        if uses > 1:
            shared.append(line.strip())
    return shared


def test_avx512_tiles_broadcast_from_memory():
    """The AVX-512 tiles reach OpenBLAS's rate only when each scalar of A is
    broadcast by its multiply's memory operand ({1to16}); a broadcast into a
    register shared by two multiplies (vbroadcastss to a zmm) takes a
    floating-point pipe on AMD Zen 4 and costs about a third of the speed
    (docs/nn.md). A compiler or an edit that brings it back fails here
    instead of silently losing the speed."""
    asm = disassemble(BUILDS[0], "liblivegym_nn.a")
    # the 8- and 4-wide strips' functions, whether or not the compiler inlined them
    body = "\n".join(function_asm(asm, f) for f in ("block_avx512", "block_avx512_8", "block_avx512_4"))
    assert function_asm(asm, "block_avx512"), "no block_avx512 in the network core"
    assert len(re.findall(r"vmulps[^\n]*\{1to16\}", body)) >= 16 + 8, "the AVX-512 tiles do not broadcast from memory"
    for lanes in (8, 4):  # the 16-row tiles of the columns left over, in ymm and xmm registers
        assert re.search(rf"vmulps[^\n]*\{{1to{lanes}\}}", body), f"the {lanes}-wide AVX-512 tiles do not broadcast from memory"
    assert shared_register_broadcasts(body) == [], "register broadcasts shared by multiplies in the AVX-512 tiles"
