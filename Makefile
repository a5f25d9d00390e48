# Thin wrapper over CMake. The two commands of the README:
#   make demo   installs missing packages, builds everything, runs `ringside demo`
#   make test   installs missing packages, builds everything, runs the whole test suite (ctest)
# `make test-sanitize` runs the same tests built with AddressSanitizer + UndefinedBehaviorSanitizer.
# Under CI (CI=true) warnings are errors.

BUILD      ?= build
BUILD_SAN  ?= build-sanitize
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
WERROR     ?= $(if $(filter true,$(CI)),ON,OFF)
CMAKE_ARGS ?=

.PHONY: all deps configure build demo test test-sanitize clean

all: build

deps:
	@sh scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRINGSIDE_WERROR=$(WERROR) $(CMAKE_ARGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	./$(BUILD)/ringside demo

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-sanitize: deps
	@cmake -S . -B $(BUILD_SAN) -DCMAKE_BUILD_TYPE=Debug -DRINGSIDE_SANITIZE=ON -DRINGSIDE_WERROR=$(WERROR) $(CMAKE_ARGS) >/dev/null
	@cmake --build $(BUILD_SAN) -j $(JOBS)
	cd $(BUILD_SAN) && ctest --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD) $(BUILD_SAN)
