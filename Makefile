# wxbridge: build, test and try it out. Requires Go (cgo on) and gcc.
GO      ?= go
TAGS    ?= goolm
# An execution count, not a duration: Go's fuzzer can fail a timed run with
# "context deadline exceeded" when the time runs out mid-input.
FUZZTIME ?= 100000x

.PHONY: build test unit vet fuzz conformance bench bench-e2e sim dendrite e2e e2e-bin run example-config

build:
	CGO_ENABLED=1 $(GO) build -tags $(TAGS) -o wxbridge .
	CGO_ENABLED=1 $(GO) build -tags $(TAGS) -o wechatsim ./wechat/wechattest/wechatsim

# Everything CI runs: vet, all tests with coverage, a short run of every fuzz
# target, the simulator's conformance test and the end-to-end tests against
# Dendrite.
# The database tests also run on PostgreSQL when WXBRIDGE_TEST_POSTGRES is set
# (`eval "$$(.ci/postgres.sh)"` sets up a local server); with CI=true they must.
test: vet unit fuzz conformance e2e

# config.example.yaml: what `wxbridge -e` writes, with SQLite as the
# database instead of mautrix's PostgreSQL placeholder. TestRootExamples
# keeps it equal to that.
example-config:
	CGO_ENABLED=1 $(GO) build -tags $(TAGS) -o bin/wxbridge .
	bin/wxbridge -e -c - | sed \
		-e 's|^    type: postgres$$|    type: sqlite3-fk-wal|' \
		-e 's|^    uri: postgres://user:password@host/database?sslmode=disable$$|    uri: file:wxbridge.db?_txlock=immediate|' \
		> config.example.yaml

vet:
	$(GO) vet -tags $(TAGS) ./...

# Every package but the end-to-end tests, which `e2e` runs with their binaries.
unit:
	CGO_ENABLED=1 $(GO) test -tags $(TAGS) -count=1 -cover $$($(GO) list -e -tags $(TAGS) ./... | grep -v '/e2e')

fuzz:
	@for pkg in ./wechat/ ./bridge/msgconv/; do \
		for target in $$($(GO) test -tags $(TAGS) -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "fuzzing $$pkg $$target for $(FUZZTIME)"; \
			$(GO) test -tags $(TAGS) -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
		done; \
	done

# The simulator's conformance test: unmodified openwechat v1.4.10, a client
# that logs in to the real Web WeChat server, against the simulator, from its
# own module (tools/openwechat) so that openwechat stays out of our go.mod.
conformance:
	cd tools/openwechat && $(GO) vet ./... && $(GO) test -count=1 ./...

bench:
	$(GO) test -tags $(TAGS) -run '^$$' -bench . -benchmem ./wechat/ ./database/ ./bridge/

# Run the Web WeChat simulator on loopback (see README).
sim:
	$(GO) run -tags $(TAGS) ./wechat/wechattest/wechatsim -listen 127.0.0.1:29351 -auto-confirm

# Dendrite v0.13.8 (the last Apache-2.0 release), the homeserver of the
# end-to-end tests, from its own module.
dendrite:
	cd tools/dendrite && CGO_ENABLED=1 $(GO) build -o ../../bin/ \
		github.com/matrix-org/dendrite/cmd/dendrite \
		github.com/matrix-org/dendrite/cmd/generate-keys \
		github.com/matrix-org/dendrite/cmd/generate-config \
		github.com/matrix-org/dendrite/cmd/create-account

# The binaries the end-to-end tests and `run` start: Dendrite's and wxbridge, in bin/.
BIN     := $(CURDIR)/bin
E2E_TIMEOUT ?= 25m

e2e-bin: dendrite
	CGO_ENABLED=1 $(GO) build -tags $(TAGS) -o bin/wxbridge .

# End-to-end tests: the real bridge, Dendrite and the WeChat simulator (e2e/).
e2e: e2e-bin
	CGO_ENABLED=1 WXBRIDGE_E2E_BIN=$(BIN) $(GO) test -tags $(TAGS) -count=1 -timeout $(E2E_TIMEOUT) ./e2e/...

# The benchmark suite (bench/): the bridge against Dendrite's own limit on this
# machine, a table on stdout and the figures in docs/performance.md (about 20
# minutes). BENCH_FLAGS=-quick runs small sizes in a few minutes; -run picks
# scenarios (burst, latency, outbound, big, logins, hotpath, startup); -profile DIR
# saves CPU profiles of the bridge and Dendrite.
bench-e2e: e2e-bin
	CGO_ENABLED=1 $(GO) run -tags $(TAGS) ./bench -bin $(BIN) $(BENCH_FLAGS)

# Try the bridge by hand: Dendrite, wxbridge and the simulator on loopback,
# data in .tmp/run (kept between runs). Prints how to connect; Ctrl-C stops it.
# RUN_FLAGS=-auto-confirm makes the simulator confirm every login by itself.
run: e2e-bin
	CGO_ENABLED=1 $(GO) build -tags $(TAGS) -o bin/wxbridge-run ./e2e/run
	bin/wxbridge-run -bin $(BIN) -dir .tmp/run $(RUN_FLAGS)
