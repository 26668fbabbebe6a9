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
