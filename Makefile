# The two commands: `make run` (build, then compare agents on the embedded
# default scenario) and `make test` (optimised build + ASan/UBSan build, each
# running the whole Check suite, then every fuzz target for a few seconds in
# a clang libFuzzer build, then the pytest suite: installing the library,
# the compiled code). Both install missing Debian packages first.

BUILD      ?= build
BUILD_SAN  ?= build-asan
BUILD_FUZZ ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 8
FUZZ_RUNS  ?= -1
JOBS       ?= 2
PREFIX     ?= /usr/local
# Debian's python3 (pytest, numpy and torch come from Debian's packages).
PYTHON     ?= /usr/bin/python3
CMAKE_ARGS ?=
# Debian packages the build needs (the fuzz build also needs clang's
# libFuzzer; `make run` does not install it).
APT_PACKAGES = pkg-config libcjson-dev check libsdl2-dev libsdl2-ttf-dev libpng-dev fonts-dejavu-core \
               python3-pytest python3-numpy openmpi-bin libopenmpi-dev libhdf5-dev python3-h5py
APT_FUZZ     = clang libclang-rt-14-dev
# The PyTorch example's test (python/examples/dqn.py) and the PyTorch
# reference of `livegym bench dqn` (tools/reference/): PyTorch with OpenBLAS.
APT_TORCH    = python3-torch libopenblas0-pthread

.PHONY: all deps deps-fuzz deps-torch build build-san build-fuzz run test test-fast fuzz claims bench install clean

all: build

# $(call apt_install,MISSING,PACKAGES): install PACKAGES when MISSING (a
# shell expression) is not empty, as root or through sudo.
define apt_install
	if [ -n "$(1)" ]; then \
	  echo "make: missing:$(1); installing Debian packages: $(2)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO=sudo; \
	  else echo "make: need root or sudo to apt-get install $(2)" >&2; exit 1; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(2) >/dev/null || exit 1; \
	fi
endef

# Each package is proved present by its pkg-config module or a file.
deps:
	@missing=""; \
	command -v pkg-config >/dev/null 2>&1 || missing="$$missing pkg-config"; \
	for mod in libcjson check sdl2 SDL2_ttf libpng ompi-c hdf5; do \
	  pkg-config --exists $$mod 2>/dev/null || missing="$$missing $$mod"; \
	done; \
	[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing="$$missing fonts"; \
	command -v mpirun >/dev/null 2>&1 || missing="$$missing mpirun"; \
	$(PYTHON) -c "import pytest, numpy, h5py" >/dev/null 2>&1 || missing="$$missing pytest/numpy/h5py"; \
	$(call apt_install,$$missing,$(APT_PACKAGES))

# libFuzzer is there when clang links a one-line fuzz target (any
# architecture). After deps: two apt-get at once would fight over the lock.
FUZZ_PROBE = t=$$(mktemp) && printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return d && n; }\n' | \
	  clang -x c -fsanitize=fuzzer -o "$$t" - >/dev/null 2>&1; rc=$$?; rm -f "$$t"; [ $$rc = 0 ]

deps-fuzz: deps
	@missing=""; \
	command -v clang >/dev/null 2>&1 && { $(FUZZ_PROBE); } || missing=" libFuzzer"; \
	$(call apt_install,$$missing,$(APT_FUZZ))

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DLG_WERROR=ON $(CMAKE_ARGS)

$(BUILD_SAN)/CMakeCache.txt:
	cmake -S . -B $(BUILD_SAN) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG="-O1 -g" \
	  -DLG_SANITIZE=ON -DLG_WERROR=ON $(CMAKE_ARGS)

$(BUILD_FUZZ)/CMakeCache.txt:
	cmake -S . -B $(BUILD_FUZZ) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG="-O1 -g" \
	  -DLG_FUZZ=ON -DLG_VIZ=OFF -DLG_WERROR=ON $(CMAKE_ARGS)

# Called from the recipes that need it, after their prerequisites: never
# beside another apt-get.
deps-torch: deps
	@missing=""; \
	$(PYTHON) -c "import torch" >/dev/null 2>&1 || missing=" torch"; \
	dpkg -s libopenblas0-pthread 2>/dev/null | grep -q "ok installed" || missing="$$missing openblas"; \
	$(call apt_install,$$missing,$(APT_TORCH))

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

build-san: deps $(BUILD_SAN)/CMakeCache.txt
	cmake --build $(BUILD_SAN) -j $(JOBS)

build-fuzz: deps deps-fuzz $(BUILD_FUZZ)/CMakeCache.txt
	cmake --build $(BUILD_FUZZ) -j $(JOBS)

run: build
	./$(BUILD)/livegym run

# The optimised suite first (fast feedback), then the same suite under
# sanitizers, then every fuzz target for a few seconds (regressions).
test: build build-san build-fuzz
	@$(MAKE) --no-print-directory deps-torch
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	cd $(BUILD_SAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS)
	BUILD_FUZZ=$(BUILD_FUZZ) FUZZ_RUNS=-1 tools/fuzz.sh $(FUZZ_SMOKE_SECONDS)
	LG_BUILD=$(BUILD) LG_BUILDS="$(BUILD) $(BUILD_SAN) $(BUILD_FUZZ)" $(PYTHON) -m pytest -q tests/python

# Every fuzz target for FUZZ_SECONDS, or for FUZZ_RUNS executions each
# (docs/testing.md): `make fuzz FUZZ_SECONDS=3600`, `make fuzz FUZZ_RUNS=10000000`.
fuzz: build-fuzz
	BUILD_FUZZ=$(BUILD_FUZZ) FUZZ_RUNS=$(FUZZ_RUNS) tools/fuzz.sh $(FUZZ_SECONDS)

test-fast: build
	@$(MAKE) --no-print-directory deps-torch
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	LG_BUILD=$(BUILD) LG_BUILDS=$(BUILD) $(PYTHON) -m pytest -q tests/python

# Every shipped scenario at its own budget with --check-claims (about 15
# minutes on 2 cores: not part of `make test`).
claims: build
	tools/check-claims.sh ./$(BUILD)/livegym

# liblivegym.so and .a, the public headers, livegym.pc, the CMake package
# and the livegym command under PREFIX (default /usr/local), staged under
# DESTDIR when set (docs/install.md).
# The Python package goes where Debian's python3 looks for a prefix's
# packages (/usr: lib/python3/dist-packages; others: lib/python3.X/
# dist-packages, on the path for /usr/local), with a link to the library.
PYTHON_SITE = $(shell $(PYTHON) -c 'import sys; p = "$(PREFIX)"; \
	print(p + ("/lib/python3/dist-packages" if p == "/usr" else "/lib/python%d.%d/dist-packages" % sys.version_info[:2]))')

install: build
	DESTDIR=$(DESTDIR) cmake --install $(BUILD) --prefix $(PREFIX)
	mkdir -p $(DESTDIR)$(PYTHON_SITE)/livegym
	cp python/livegym/*.py $(DESTDIR)$(PYTHON_SITE)/livegym/
	ln -sf $(PREFIX)/lib/liblivegym.so.0 $(DESTDIR)$(PYTHON_SITE)/livegym/liblivegym.so.0

bench: build
	./$(BUILD)/livegym bench env

clean:
	rm -rf $(BUILD) $(BUILD_SAN) $(BUILD_FUZZ)
