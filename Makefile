# Thin wrapper over CMake. `make check` is what CI runs (see README).
BUILD     ?= build
JOBS      ?= $(shell nproc)
CMAKE_ARGS ?=

.PHONY: all deps build test check check-werror check-asan demo bench install fuzz gpu-bundle clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_ARGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

# Quick loop: the optimised build and its tests.
test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# Everything CI checks: warnings as errors and the suite (which runs the
# numeric tests with the best kernels of this CPU and with the generic ones,
# and the binary under an emulated Haswell and Nehalem), then the suite again
# under AddressSanitizer + UndefinedBehaviorSanitizer.
check: check-werror check-asan

check-werror: deps
	cmake -S . -B build-ci -DCMAKE_BUILD_TYPE=Release -DAIAPREP_WERROR=ON >/dev/null
	cmake --build build-ci -j $(JOBS)
	cd build-ci && ctest --output-on-failure -j $(JOBS)

check-asan: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAIAPREP_WERROR=ON -DAIAPREP_SANITIZE=ON >/dev/null
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure -j $(JOBS)

# Fuzz every target for FUZZ_SECONDS each (clang's libFuzzer with ASan and
# UBSan; Debian: clang, libclang-rt-14-dev, libomp-14-dev). New inputs go to
# build-fuzz/corpus/TARGET, crashes to build-fuzz/artifacts/; the kept
# corpus (tests/fuzz/corpus/TARGET) is replayed by `make check`. A crash
# stops with its reproducer named: copy it into the kept corpus with the fix.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= rice fits header time tables spikes
fuzz: deps
	CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAIAPREP_FUZZ=ON -DAIAPREP_MPI=OFF >/dev/null
	cmake --build build-fuzz -j $(JOBS) --target $(addprefix fuzz_,$(FUZZ_TARGETS))
	@mkdir -p build-fuzz/artifacts
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p build-fuzz/corpus/$$t; \
		echo "fuzz_$$t: $(FUZZ_SECONDS) s"; \
		build-fuzz/tests/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=build-fuzz/artifacts/$$t- build-fuzz/corpus/$$t tests/fuzz/corpus/$$t \
			2>build-fuzz/fuzz_$$t.log || { tail -40 build-fuzz/fuzz_$$t.log; exit 1; }; \
		grep -E "stat::number_of_executed_units|stat::new_units_added" build-fuzz/fuzz_$$t.log; \
	done

# Install the program, libaiaprep.so, aiaprep.h and aiaprep.pc under
# PREFIX (default /usr/local); DESTDIR stages them for a package.
PREFIX ?= /usr/local
install: build
	DESTDIR=$(DESTDIR) cmake --install $(BUILD) --prefix $(PREFIX)

demo: build
	scripts/demo.sh $(BUILD)/aiaprep

AIAPREP_DATA ?= $(CURDIR)/../shared
PYTHON ?= /usr/bin/python3

bench: build
	$(BUILD)/bench/bench_io
	$(BUILD)/bench/bench_register
	$(BUILD)/bench/bench_psf
	$(BUILD)/bench/bench_deconvolve
	$(BUILD)/bench/bench_cuda
	AIAPREP_DATA=$(AIAPREP_DATA) $(BUILD)/bench/bench_rice
	AIAPREP_PYTHON=$(PYTHON) bench/bench_pipeline.sh $(BUILD)/aiaprep $(AIAPREP_DATA)
	@if $(PYTHON) -c 'import sunpy.map' 2>/dev/null && [ -f $(AIAPREP_DATA)/data/level1/aia_lev1_171a_2014_01_01_synthetic.fits ]; then \
		$(PYTHON) bench/compare_aiapy.py $(BUILD)/bench/bench_register $(AIAPREP_DATA)/data/level1/aia_lev1_171a_2014_01_01_synthetic.fits; \
	else echo "aiapy comparison SKIPPED: needs python3-sunpy and the shared sample frame"; fi
	@if $(PYTHON) -c 'import sunpy.map, scipy' 2>/dev/null && [ -f $(AIAPREP_DATA)/data/level1/aia_lev1_171a_2014_01_01_synthetic.fits ]; then \
		AIAPREP_LIBRARY=$(BUILD)/libaiaprep.so PYTHONPATH=$(CURDIR)/python PYTHONDONTWRITEBYTECODE=1 \
		$(PYTHON) bench/bench_python.py $(AIAPREP_DATA)/data/level1/aia_lev1_171a_2014_01_01_synthetic.fits; \
	else echo "bench_python SKIPPED: needs python3-sunpy, python3-scipy and the shared sample frame"; fi

# What scripts/gpu-check.sh needs on a GPU machine without Debian packages:
# a CUDA build and its libraries in gpu-bundle/ (carry it with the call).
gpu-bundle: deps
	scripts/gpu-bundle.sh

clean:
	rm -rf build build-ci build-asan build-fuzz build-gpu gpu-bundle
