# The two set-up commands are `make run` and `make test`; both install what is missing first.
SHELL := /bin/bash
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

APP_PORT ?= 8080
RECEIVER_PORT ?= 8090
RELAY_PORT ?= 8070
NATS_PORT ?= 4222

.PHONY: run test bench bootstrap build clean

bootstrap:
	@bash scripts/bootstrap.sh

## Build the release app, the receiver and the relay; start them with nats-server, print their URLs;
## Ctrl-C stops all four.
run: bootstrap build
	@APP_PORT=$(APP_PORT) RECEIVER_PORT=$(RECEIVER_PORT) RELAY_PORT=$(RELAY_PORT) NATS_PORT=$(NATS_PORT) bash scripts/run.sh

## Every test suite: native (cargo test), browser (wasm-bindgen-test in headless Chromium), end to end (Playwright).
test: bootstrap
	@bash scripts/test.sh

## Criterion benches with our engine beside its peers, plus the bundle size.
bench: bootstrap
	@bash scripts/bench.sh

build:
	trunk build --release
	cargo build --release -p webhook-receiver -p webhook-relay

clean:
	cargo clean
	rm -rf dist test-output
	@echo "(.data/ — nats-server's data and the relay's tokens of make run — is kept; remove it by hand to start afresh)"
