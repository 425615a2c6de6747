# The two commands a newcomer needs: `make run` (server with demo data) and `make test`.
# Both bring up a local PostgreSQL when DATABASE_URL is not set (db/local-postgres.sh).
SHELL := /bin/bash
GO    ?= go
BIN   := bin/secondchance

.PHONY: run test build generate check-generated bench bench-batch bench-read bench-portal screenshots

build:
	$(GO) build -o $(BIN) ./cmd/secondchance

## run: migrate, load the demo data set when the database is empty, print demo tokens, serve on :8080
## (SEED_FLAGS=--showcase adds the portal's showcase: best in a database of its own)
run: build
	@pdf/install-deps.sh
	@export DATABASE_URL="$$(db/local-postgres.sh)" && \
	./$(BIN) seed --demo $(SEED_FLAGS) && \
	exec ./$(BIN) serve

## test: formatting, vet, then every test (race detector on) against a real PostgreSQL
test:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt would change:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...
	@pdf/install-deps.sh --test
	@portal/install-chromium.sh
	@export DATABASE_URL="$$(db/local-postgres.sh)" && \
	$(GO) test -race -count=1 -timeout 20m ./...

## generate: regenerate gqlgen's code from graph/*.graphqls
generate:
	$(GO) tool gqlgen generate

## check-generated: fail when the generated code is stale
check-generated: generate
	@git diff --exit-code -- graph resolvers || { echo "generated code is stale: run make generate and commit"; exit 1; }
	@test -z "$$(git status --porcelain -- graph resolvers)" || { git status --porcelain -- graph resolvers; echo "gqlgen generate created files: run make generate and commit"; exit 1; }

## bench: the go benchmarks (figures go into docs/PERFORMANCE.md)
bench:
	@export DATABASE_URL="$$(db/local-postgres.sh)" && \
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./...

## bench-portal: the portal's main pages over HTTP on the demo data set (with demo.Showcase),
## logged in as the demo manager: p50 and p99 per page and SQL statements per request, 3 runs
bench-portal:
	@pdf/install-deps.sh
	@export DATABASE_URL="$$(db/local-postgres.sh)" && \
	$(GO) test -run '^$$' -bench Pages -benchtime 2s -count 3 ./portal

## screenshots: retake docs/screenshots/*.png: the main pages on the demo data set (with
## demo.Showcase) in headless Chromium at 1280x900, logged in as the demo manager
screenshots:
	@pdf/install-deps.sh
	@portal/install-chromium.sh
	@export DATABASE_URL="$$(db/local-postgres.sh)" && \
	$(GO) test -count=1 -run '^TestBrowserDemoPages$$' ./portal -screenshots=../docs/screenshots

## bench-batch: the weekly batch at scale, on a scratch database secondchance_bench (dropped
## and recreated): 20k sellers, 500k buyers, 5M orders, 1M pending reports over ~200k buyers,
## then one `batch run`, timed with its peak memory. Needs the local PostgreSQL (root).
bench-batch: build
	@export DATABASE_URL="$$(db/local-postgres.sh)" && \
	runuser -u postgres -- psql -q -c 'DROP DATABASE IF EXISTS secondchance_bench WITH (FORCE)' -c 'CREATE DATABASE secondchance_bench OWNER secondchance' && \
	export DATABASE_URL="$${DATABASE_URL%/*}/secondchance_bench?sslmode=disable" && \
	./$(BIN) migrate && \
	/usr/bin/time -f 'seed: %e s wall, %M KB peak RSS' ./$(BIN) seed --sellers 20000 --buyers 500000 --orders 5000000 --reports 1000000 && \
	/usr/bin/time -f 'batch: %e s wall, %M KB peak RSS' ./$(BIN) batch run --week "$$(date -u +%G-W%V)"

## bench-read: the main reads of a seller frontend and of store staff through the real server,
## beside the same rows through pgbench and over bare HTTP, on a scratch database secondchance_bench_read (seeded
## with 200 sellers, 20k buyers, 200k orders, reused while it holds them). Flags go in ARGS,
## e.g. make bench-read ARGS='--sellers 20000 --buyers 500000 --orders 5000000 --small 100'.
bench-read: build
	@export DATABASE_URL="$$(db/local-postgres.sh)" && \
	./$(BIN) bench read $(ARGS)
