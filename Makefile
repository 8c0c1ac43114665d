# SPDX-License-Identifier: Apache-2.0
# Thin front door over the CMake presets (as PX4 does). The README's two commands:
#   make demo   install what is missing, build, run the whole chain on the emulator
#   make test   install what is missing, build, run every test (plus the sanitizer run)
# Others: make aarch64 | bench | fuzz | format | format-check | clean

SHELL := /bin/bash
.DEFAULT_GOAL := help
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 30
DEMO_EXIT ?= 0
export DEMO_EXIT

CMAKE_CONFIGURE = cmake --preset $(1) --log-level=WARNING > /dev/null
CMAKE_BUILD     = cmake --build --preset $(1) -j $(JOBS)

.PHONY: help bootstrap bootstrap-cross build test test-host test-asan aarch64 demo bench fuzz format format-check clean

help:
	@echo "make demo          install, build, run the whole chain on the emulator (DEMO_EXIT=1 to end after it)"
	@echo "make test          install, build and run every test (host build, then sanitizers)"
	@echo "make aarch64       cross-build the scanner side for ARM and run its tests under qemu-aarch64"
	@echo "make bench         benchmarks (prints figures)"
	@echo "make fuzz          run each fuzz target for FUZZ_SECONDS ($(FUZZ_SECONDS) s)"
	@echo "make format        clang-format the tree; make format-check to verify only"

bootstrap:
	@scripts/bootstrap.sh --check 2>/dev/null || scripts/bootstrap.sh

bootstrap-cross:
	@scripts/bootstrap.sh --cross aarch64 --check 2>/dev/null || scripts/bootstrap.sh --cross aarch64

build: bootstrap
	$(call CMAKE_CONFIGURE,host)
	$(call CMAKE_BUILD,host)

test-host: build
	ctest --preset host -j $(JOBS)

test-asan: bootstrap
	$(call CMAKE_CONFIGURE,asan)
	$(call CMAKE_BUILD,asan)
	ctest --preset asan -j $(JOBS)

test: test-host test-asan
	@echo "make test: all suites passed"

aarch64: bootstrap-cross
	$(call CMAKE_CONFIGURE,aarch64)
	$(call CMAKE_BUILD,aarch64)
	ctest --preset aarch64 -j $(JOBS)

demo: build
	scripts/demo.sh build/host

bench: build
	scripts/bench.sh build/host

fuzz: bootstrap
	$(call CMAKE_CONFIGURE,fuzz)
	$(call CMAKE_BUILD,fuzz)
	scripts/fuzz.sh build/fuzz $(FUZZ_SECONDS)

format:
	scripts/format.sh

format-check:
	scripts/format.sh --check

clean:
	rm -rf build
