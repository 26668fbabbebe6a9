"""Properties of the compiled code that no C test can see from inside."""
import os
import re
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The optimised build first; make test passes its three builds.
BUILDS = os.environ.get("LG_BUILDS", os.environ.get("LG_BUILD", "build") + " build-asan build-fuzz").split()


@pytest.mark.parametrize("build", BUILDS)
def test_network_core_has_no_fused_multiply_add(build):
    """Every vector instruction set gives the same bits only without FMA
    (docs/nn.md): no fused instruction in the network core, whichever
    compiler built it (build-fuzz is clang's)."""
    lib = os.path.join(ROOT, build, "liblivegym_nn.a")
    if not os.path.exists(lib):
        if build == BUILDS[0]:
            pytest.fail(f"{lib}: no such library; run make build first")
        pytest.skip(f"{build} not built")
    asm = subprocess.run(["objdump", "-d", lib], check=True, capture_output=True, text=True).stdout
    assert "block_avx2" in asm and "ymm" in asm, "the AVX2 tiles are missing"
    fused = re.findall(r"\bv?fn?m(?:add|sub)\w*", asm)
    assert fused == [], f"fused multiply-add in {lib}: {sorted(set(fused))}"


def function_asm(asm, name):
    """The disassembly of one function of an objdump listing."""
    m = re.search(rf"^[0-9a-f]+ <{name}>:\n(.*?)(?:\n\n|\Z)", asm, re.S | re.M)
    return m.group(1) if m else ""


@pytest.mark.parametrize("build", BUILDS)
def test_world_loops_have_no_fused_multiply_add(build):
    """The world's per-channel loops (env/live/channel_math.c) run on every
    vector set with the same bits (docs/model.md): no fused instruction in
    the env layer, and in the optimised build the AVX-512 and AVX2 variants
    of the popularity draws are vectorised (else they would run, slowly, as
    scalar code)."""
    lib = os.path.join(ROOT, build, "liblivegym_core.a")
    if not os.path.exists(lib):
        if build == BUILDS[0]:
            pytest.fail(f"{lib}: no such library; run make build first")
        pytest.skip(f"{build} not built")
    asm = subprocess.run(["objdump", "-d", lib], check=True, capture_output=True, text=True).stdout
    fused = re.findall(r"\bv?fn?m(?:add|sub)\w*", asm)
    assert fused == [], f"fused multiply-add in {lib}: {sorted(set(fused))}"
    if build == BUILDS[0]:
        body = function_asm(asm, "normal_avx512")
        assert "zmm" in body and "vpmullq" in body, "the AVX-512 popularity draws are not vectorised"
        assert "ymm" in function_asm(asm, "normal_avx2"), "the AVX2 popularity draws are not vectorised"
