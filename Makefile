# headerlens — the two commands a person needs:
#   make run    build the site and the binary, serve on http://127.0.0.1:8080/
#   make test   everything CI runs (.ci/run)

GO        ?= go
DIST      ?= dist
BIN       ?= bin
ADDR      ?= 127.0.0.1:8080
FUZZTIME  ?= 5s
VERSION   ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
GOROOT    := $(shell $(GO) env GOROOT)
WASM_EXEC := $(GOROOT)/lib/wasm/go_js_wasm_exec
# The build flags of the page's module (scripts/wasm.flags says why).
WASM_FLAGS := $(shell scripts/wasm-flags)

# Packages whose tests also run as GOOS=js under Node. Packages whose tests
# reach a dohtest server through the default (fetch) transport cannot run
# there yet; add them here once their tests run under js.
WASM_TEST_PKGS ?= ./wasm/ ./dohresolver/ ./analyzer/datetime ./analyzer/rules \
	./analyzer/message ./analyzer/received ./analyzer/recorded ./analyzer/trail \
	./analyzer/vendor ./analyzer/internal/dkimcore ./internal/jsonx

# make test builds the site and the binary first and hands them to the
# browser test; tests that need chromium, nginx or postfix fail instead of
# skipping.
test: export HEADERLENS_DIST := $(CURDIR)/$(DIST)
test: export HEADERLENS_BIN := $(CURDIR)/$(BIN)/headerlens
test: export HEADERLENS_REQUIRE_CHROMIUM := 1
test: export HEADERLENS_REQUIRE_POSTFIX := 1
test: export HEADERLENS_REQUIRE_NGINX := 1
test: export HEADERLENS_REQUIRE_AXE := 1

.PHONY: all wasm site build run test e2e deps fmt-check vet go-test wasm-test fuzz clean

all: site build

## wasm: the WebAssembly analyzer, dist/headerlens.wasm
wasm:
	@mkdir -p $(DIST)
	GOOS=js GOARCH=wasm $(GO) build $(WASM_FLAGS) -ldflags="-s -w -X main.version=$(VERSION) -X headerlens/analyzer.Version=$(VERSION)" -o $(DIST)/headerlens.wasm ./wasm

## site: dist/ with the page, wasm_exec.js, the wasm and .gz copies
site:
	GO=$(GO) VERSION=$(VERSION) scripts/build-site $(DIST)

## build: bin/headerlens
build:
	@mkdir -p $(BIN)
	$(GO) build -trimpath -ldflags="-X headerlens/analyzer.Version=$(VERSION)" -o $(BIN)/headerlens ./cmd/headerlens

## run: serve the site (prints the URL)
run: site build
	$(BIN)/headerlens serve --addr $(ADDR) --dir $(DIST)

deps:
	scripts/ci-deps

fmt-check:
	@out="$$(gofmt -l $$(git ls-files '*.go'))"; \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi; \
	echo "gofmt: clean"

vet:
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./wasm/

go-test:
	$(GO) test ./...

wasm-test:
	GOOS=js GOARCH=wasm $(GO) test -exec "$(WASM_EXEC)" $(WASM_TEST_PKGS)

fuzz:
	FUZZTIME=$(FUZZTIME) scripts/fuzz

## test: what CI runs. The site and binary are built first so that the
## browser test (scripts/e2e, part of go test ./...) uses them.
test: deps fmt-check vet site build go-test wasm-test fuzz
	@echo "make test: all steps passed"

## e2e: only the browser test, verbose (logs the screenshot paths)
e2e: site build
	HEADERLENS_DIST=$(CURDIR)/$(DIST) HEADERLENS_BIN=$(CURDIR)/$(BIN)/headerlens HEADERLENS_REQUIRE_CHROMIUM=1 HEADERLENS_REQUIRE_NGINX=1 HEADERLENS_REQUIRE_AXE=1 \
		$(GO) test -count=1 -v ./scripts/e2e/

clean:
	rm -rf $(DIST) $(BIN)
