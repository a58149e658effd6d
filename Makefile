# The README's two commands are `make run` and `make test`.
.PHONY: run test web build test-go test-go-sqlite test-web lint lint-web api-types bench clean

GO ?= go
# Pinned lint tools, fetched through the Go module proxy on first use.
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2

# Build the web app and start examd on its embedded defaults
# (SQLite under ./data, in-process Redis, SMS printed to the log).
run: web
	$(GO) run ./cmd/examd serve

build: web
	$(GO) build -o bin/examd ./cmd/examd

# The web app is rebuilt only when a source changed: the built index.html
# is the stamp, newer than every file it is made from (a fresh clone, or
# `make clean`, has none, so the first `make run` builds it).
WEB_SRC := $(shell find frontend/src frontend/public -type f 2>/dev/null) \
	frontend/index.html frontend/vite.config.ts frontend/tsconfig.json frontend/package.json

web: frontend/dist/index.html

frontend/dist/index.html: $(WEB_SRC) frontend/node_modules/.installed
	cd frontend && npm run build
	touch $@

frontend/node_modules/.installed: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

# Every test: Go (vet, gofmt, -race on MariaDB + Redis, then the migration,
# role-matrix and store tests again on SQLite) and the web app (unit tests,
# then Playwright in Debian's headless Chromium against the built binary).
test: lint lint-web test-go test-go-sqlite test-web

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$unformatted" ]; then echo "not gofmt'd:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...

# The web app: ESLint (Vue + TypeScript rules), the type check, and the API
# types generated from the route table must be current (make api-types).
lint-web: frontend/node_modules/.installed
	cd frontend && npm run lint && npm run typecheck
	GO=$(GO) ./scripts/api-types.sh --check

# Regenerate frontend/src/api/schema.d.ts from the route table.
api-types: frontend/node_modules/.installed
	GO=$(GO) ./scripts/api-types.sh

test-go:
	./scripts/ensure-services.sh
	TEST_DB=mysql $(GO) test -race -count=1 -timeout 20m ./...

test-go-sqlite:
	TEST_DB=sqlite $(GO) test -count=1 -timeout 20m ./...

test-web: frontend/node_modules/.installed
	./scripts/ensure-browser-tools.sh
	cd frontend && npm test && npm run e2e

# Benchmarks with printed figures (see docs/performance.md).
bench:
	./scripts/ensure-services.sh
	$(GO) test -run '^$$' -bench . -benchtime 1x ./...

clean:
	rm -rf bin .tmp frontend/dist/assets frontend/dist/index.html
