"""`make install` gives a library that programs outside the source tree can
use: pkg-config (shared and static) and CMake's find_package build the same
consumer, which runs and prints the same thing three times; the shared
library exports the public API and nothing else."""
import os
import re
import shutil
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("LG_BUILD", "build"))
CONSUMER = os.path.join(ROOT, "tests", "install")
SCENARIO = os.path.join(ROOT, "scenarios", "drift.json")


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


@pytest.fixture(scope="module")
def prefix(tmp_path_factory):
    if not os.path.exists(os.path.join(BUILD, "CMakeCache.txt")):
        pytest.fail(f"no build in {BUILD}: run make build first (or set LG_BUILD)")
    stage = tmp_path_factory.mktemp("stage")
    # DESTDIR staging with a prefix, as a packager does.
    run(["cmake", "--install", BUILD, "--prefix", "/opt/livegym"], env={**os.environ, "DESTDIR": str(stage)})
    return os.path.join(str(stage), "opt", "livegym")


def pkg(prefix, *args):
    env = {**os.environ, "PKG_CONFIG_PATH": os.path.join(prefix, "lib", "pkgconfig")}
    return run(["pkg-config", *args, "livegym"], env=env).split()


def test_installed_files(prefix):
    for f in ["bin/livegym", "include/livegym/lg_env.h", "include/livegym/lga_agent.h", "include/livegym/lgn.h",
              "include/livegym/lgx_binding.h", "lib/liblivegym.a", "lib/liblivegym.so.0", "lib/pkgconfig/livegym.pc",
              "lib/cmake/livegym/livegymConfig.cmake"]:
        assert os.path.exists(os.path.join(prefix, f)), f
    assert os.readlink(os.path.join(prefix, "lib", "liblivegym.so")) == "liblivegym.so.0"
    # Internal headers stay in the tree.
    assert not os.path.exists(os.path.join(prefix, "include", "livegym", "env_internal.h"))


def test_consumers_agree(prefix, tmp_path):
    cc = os.environ.get("CC", "cc")
    libdir = os.path.join(prefix, "lib")
    src = os.path.join(CONSUMER, "consumer.c")
    shared, static = str(tmp_path / "shared"), str(tmp_path / "static")
    run([cc, "-std=c11", "-Wall", "-Wextra", "-Werror", src, *pkg(prefix, "--cflags", "--libs"), "-o", shared])
    run([cc, "-std=c11", src, *pkg(prefix, "--cflags"), os.path.join(libdir, "liblivegym.a"), "-lcjson", "-lm",
         "-pthread", "-o", static])
    run(["cmake", "-S", CONSUMER, "-B", str(tmp_path / "cm"), f"-DCMAKE_PREFIX_PATH={prefix}"])
    run(["cmake", "--build", str(tmp_path / "cm")])
    env = {**os.environ, "LD_LIBRARY_PATH": libdir}
    outs = [run([exe, SCENARIO], env=env) for exe in (shared, static, str(tmp_path / "cm" / "consumer"))]
    assert outs[0] == outs[1] == outs[2]
    version = run([os.path.join(prefix, "bin", "livegym"), "--version"]).split()[-1]
    m = re.fullmatch(r"livegym (\S+): 50 channels, 4 slots, 300 steps, reward (\S+)\n", outs[0])
    assert m and m.group(1) == version
    assert float(m.group(2)) > 0
    # The static build's libraries (ldd): no liblivegym.so.
    assert "liblivegym" not in run(["ldd", static])
    assert "liblivegym.so.0" in run(["ldd", shared], env=env)


def test_only_the_public_api_is_exported(prefix):
    so = os.path.join(prefix, "lib", "liblivegym.so.0")
    names = [line.split()[-1] for line in run(["nm", "-D", "--defined-only", so]).splitlines()]
    names = [n for n in names if not n.startswith("_")]
    headers = ""
    for h in os.listdir(os.path.join(prefix, "include", "livegym")):
        headers += open(os.path.join(prefix, "include", "livegym", h)).read()
    assert len(names) > 50
    undeclared = [n for n in names if not re.search(r"\b%s\s*\(" % re.escape(n), headers)]
    assert undeclared == [], "exported but not in an installed header"
    # The experiment layer exports only the bindings' runner (lgx_binding.h).
    lab = [n for n in names if n.startswith("lgx_")]
    assert sorted(lab) == ["lgx_run_options_init", "lgx_run_text"]
    assert not [n for n in names if n.startswith(("lg_viewers_", "lg_world_", "lg_json_"))]
    for api in ["lg_env_create", "lg_env_step", "lg_scenario_load_file", "lga_create", "lgn_mlp_create"]:
        assert api in names


def test_python_package_installed_for_the_system_python(tmp_path):
    """make install puts the package where Debian's python3 finds a prefix's
    packages, and the installed package loads the installed library."""
    prefix = str(tmp_path / "prefix")
    subprocess.run(["make", "-s", "-C", ROOT, "install", f"PREFIX={prefix}",
                    f"BUILD={os.path.relpath(BUILD, ROOT)}"], check=True, capture_output=True)
    site = [os.path.join(prefix, "lib", d, "dist-packages") for d in os.listdir(os.path.join(prefix, "lib"))
            if d.startswith("python3")]
    assert len(site) == 1
    code = ("import livegym; e = livegym.make(num_envs=3, seed=2); o, i = e.reset(); "
            "print(livegym.__file__, livegym._lib.lib._name, o.shape, livegym.__version__); "
            "r = livegym.evaluate('popular', seeds=1, steps=50, eval_every=50, sessions=3); "
            "print(r.metrics()['return'] > 0)")
    out = run(["/usr/bin/python3", "-c", code], cwd=str(tmp_path), env={**os.environ, "PYTHONPATH": site[0],
                                                                        "LG_BUILD": "no-such-build"}).split()
    assert out[0].startswith(site[0]) and out[1] == os.path.join(site[0], "livegym", "liblivegym.so.0")
    assert os.path.realpath(out[1]) == os.path.realpath(os.path.join(prefix, "lib", "liblivegym.so.0"))
    assert out[2:4] == ["(3,", "1216)"]
    assert out[5] == "True"
