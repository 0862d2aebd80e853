# slsec — the two commands a newcomer needs are `make run` and `make test`.
# Both install missing Debian packages first (scripts/deps.sh, as root),
# then build with CMake + Ninja.

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps build run test test-unit test-cli test-asan bench fuzz clean docs lint lambda-package

all: build

deps:
	@scripts/deps.sh

$(BUILD)/build.ninja:
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: deps $(BUILD)/build.ninja
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	@$(BUILD)/slsec scan examples/vulnerable-app; rc=$$?; \
	  if [ $$rc -le 1 ]; then echo; echo "(exit code $$rc: the demo ran; the findings above are the point)"; exit 0; else exit $$rc; fi

$(ASAN_BUILD)/build.ninja:
	@cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSLSEC_SANITIZE=ON >/dev/null

test: build $(ASAN_BUILD)/build.ninja
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	@tests/run-all.sh $(BUILD) $(ASAN_BUILD)

bench: build
	@bench/run.sh $(BUILD)/slsec

$(FUZZ_BUILD)/build.ninja:
	@CC=clang cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSLSEC_FUZZ=ON >/dev/null

fuzz: deps $(FUZZ_BUILD)/build.ninja
	@cmake --build $(FUZZ_BUILD) -j $(JOBS)
	@tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

# The Lambda custom runtime zip (docs/lambda.md).
lambda-package: build
	@scripts/lambda-package.sh $(BUILD)/slsec dist/slsec-lambda.zip

docs: build
	@$(BUILD)/slsec rules --format markdown > docs/rules.md

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
