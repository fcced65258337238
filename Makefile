# alpage: common tasks. CI runs `make test` (see .ci/run).

GO ?= go

# Browser tests keep their screenshots here (internal/testutil.ArtifactDir).
export TEST_ARTIFACTS_DIR ?= $(CURDIR)/test-artifacts

.PHONY: run build test test-deps bench lint

## run: the demo provider in test mode on http://localhost:8080 (SQLite in ./alpage-data)
run:
	$(GO) run ./cmd/alpage serve --demo --dev

## build: a static binary in bin/alpage
build:
	CGO_ENABLED=0 $(GO) build -o bin/alpage ./cmd/alpage

## test-deps: install Chromium, PostgreSQL 15 and a C compiler when missing (Debian, as root)
test-deps:
	bash scripts/install-test-deps.sh

## test: vet, then every test with the race detector, on SQLite and PostgreSQL
test: test-deps
	$(GO) vet ./...
	TZ=Europe/Zurich CGO_ENABLED=1 $(GO) test -race -count=1 -timeout 30m ./...

## bench: every benchmark (see bench/README.md)
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## lint: static checks
lint:
	$(GO) vet ./...
