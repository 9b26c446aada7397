# manrs-plus: `make run` to start, `make test` to check. `make help` lists the rest.
SWIFT ?= swift
RELEASE_BIN := .build/release
# The Swift runtime linked in: a process starts in 10 ms instead of 16, which `validate`'s
# full-table time shows (1.03x, docs/reliability.md). One setting for every release build,
# so they share one build directory.
RELEASE := -c release --static-swift-stdlib

.DEFAULT_GOAL := help
.PHONY: help deps build run test test-browser bench fuzz fuzz-check fmt lint clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

deps: ## Install PostgreSQL and libpq through apt when missing (as root), or say what to install
	@scripts/install-deps.sh

build: deps ## Build the server in release mode
	$(SWIFT) build $(RELEASE) --product manrs-plus

run: build ## Load the demo data and serve on http://127.0.0.1:8080 (embedded PostgreSQL under .data/ unless DATABASE_URL is set)
	$(RELEASE_BIN)/manrs-plus demo load
	# The demo's routes (April 2024) and VRPs (July 2025) are 15 months apart: the checks are told
	# to accept that, and every result says how far apart its inputs were.
	CHECK_MAX_AGE_HOURS=$${CHECK_MAX_AGE_HOURS:-30000} CHECK_PAIRING_HOURS=$${CHECK_PAIRING_HOURS:-12000} $(RELEASE_BIN)/manrs-plus serve

test: deps lint ## Check formatting, then run the whole suite against a real, throwaway PostgreSQL (or TEST_DATABASE_URL)
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

test-browser: deps ## Walk the MANRS+ certification through the pages in headless Chromium (selenium), at desktop and phone width
	scripts/browser-test.sh

bench: deps ## Benchmarks side by side with their baselines (pgbench, …), printing ratios
	# One product per build: given twice, `--product` builds only the last one.
	$(SWIFT) build $(RELEASE) --product manrs-plus
	$(SWIFT) build $(RELEASE) --product manrs-plus-bench
	$(RELEASE_BIN)/manrs-plus-bench
	scripts/bench/routing.sh

fuzz: deps ## Fuzz the API from its OpenAPI document with schemathesis (PyPI) as admin, applicant and anonymous, against a fresh demo database (release build, long)
	scripts/fuzz.sh

fuzz-check: deps ## The bounded fuzz pass CI runs after `make test`: its debug build, a fixed seed, about a minute per role
	scripts/fuzz.sh --check

fmt: ## Format the sources with swift-format (.swift-format)
	$(SWIFT) format --in-place --recursive Package.swift Sources Tests

lint: ## Check formatting without changing files
	$(SWIFT) format lint --strict --recursive Package.swift Sources Tests

clean: ## Remove build products (keeps .data/)
	rm -rf .build
