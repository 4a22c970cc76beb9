# Thin wrapper over CMake. `make check` is what CI runs (see README).
BUILD     ?= build
JOBS      ?= $(shell nproc)
CMAKE_ARGS ?=

.PHONY: all deps build test check check-werror check-asan demo bench clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_ARGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

# Quick loop: the optimised build and its tests.
test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# Everything CI checks: warnings as errors, the suite, and the suite again
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

demo: build
	scripts/demo.sh $(BUILD)/aiaprep

bench: build
	cmake --build $(BUILD) --target bench_io -j $(JOBS)
	$(BUILD)/bench/bench_io

clean:
	rm -rf build build-ci build-asan
