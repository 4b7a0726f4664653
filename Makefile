# Everything a developer runs. A local Neo4j 5.26 is provisioned from Maven
# Central and started on demand unless NEO4J_URI names another one. The one
# `make run` serves keeps its data in .neo4j/ on port 7687; tests and
# benchmarks get their own in .neo4j-test/ on 7688 (scripts/test).
SHELL := /bin/bash
NEO4J_BOLT_PORT ?= 7687
export NEO4J_BOLT_PORT
# Without NEO4J_URI: the local Neo4j, its random password read from its state folder.
LOCAL_NEO4J = [ -n "$$NEO4J_URI" ] || { scripts/neo4j-start && export NEO4J_URI=bolt://127.0.0.1:$(NEO4J_BOLT_PORT) NEO4J_PASSWORD_FILE=$${NEO4J_STATE_DIR:-.neo4j}/password; }

.PHONY: run test test-go setup images test-containers seed generate check assets bench bench-compare bench-feed bench-view screenshots neo4j-start neo4j-stop build audit-deps fuzz venv python-test notebooks

## run: install what is missing (scripts/setup), start Neo4j if needed, apply the schema, seed an empty graph, serve on http://127.0.0.1:8080
run:
	@scripts/setup run
	@$(LOCAL_NEO4J); go run ./server -rate-limit-loopback=false

## test: install what is missing (scripts/setup test), then every test against a real Neo4j of its own (never the one make run serves): Go and browser tests, the GraphQL-over-HTTP audit, the Python readers of the exports and the notebooks
test:
	@scripts/setup test
	@$(MAKE) --no-print-directory audit-deps venv
	REQUIRE_AUDIT=1 scripts/test
	scripts/with-server bash -c 'scripts/python-test && .venv/bin/python examples/notebooks/run.py'

## test-go: only the Go tests (browser and audit included), as scripts/test runs them; arguments in ARGS (ARGS='./store -run TestX')
test-go:
	scripts/test $(ARGS)

## seed: make the served graph equal to the seed files (validated first; one transaction)
seed:
	@$(LOCAL_NEO4J); go run ./server seed

## setup: install through apt what make run, make test and make test-containers need (as root; otherwise prints the command)
setup:
	scripts/setup containers

## images: build the images without a registry (Debian base by debootstrap, Neo4j 5.26, HAProxy, the API), each cached; names in NEO4J_IMAGE, API_IMAGE, LB_IMAGE, BASE_IMAGE, STATIC_IMAGE
NEO4J_IMAGE ?= cyberkg/neo4j:5.26
API_IMAGE ?= cyberkg/api:latest
LB_IMAGE ?= cyberkg/haproxy:2.6
export NEO4J_IMAGE API_IMAGE LB_IMAGE
images:
	@scripts/setup containers
	deploy/images

## test-containers: images, then the store and server tests on Neo4j started by testcontainers-go, the compose stack, and the failover test behind HAProxy
test-containers:
	scripts/test-containers

## audit-deps: install the GraphQL-over-HTTP audit (graphql-http, pinned in server/testdata/audit) and the feed's clients (graphql-ws, graphql-sse, in server/testdata/feed), which make test then runs
audit-deps:
	cd server/testdata/audit && npm ci --no-audit --no-fund
	cd server/testdata/feed && npm ci --no-audit --no-fund

## fuzz: run every fuzz target for FUZZTIME (default 100000 inputs) each, from its committed corpus in testdata/fuzz
# A count, not a duration: Go 1.26 can fail a duration-bound run with a bare
# "context deadline exceeded" on a busy machine (go.dev/issue/75804).
FUZZTIME ?= 100000x
fuzz:
	@go test -list '^Fuzz' ./... | awk '/^Fuzz/ { names[n++] = $$1 } /^ok/ { for (i = 0; i < n; i++) print $$2, names[i]; n = 0 }' | \
	while read -r pkg name; do \
	  echo "fuzz $$pkg $$name"; go test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) "$$pkg" || exit 1; \
	done

## generate: regenerate gqlgen's code from schema/ and gqlgen.yml (go generate: gqlgen as it is, nothing rewritten)
generate:
	go generate ./...
	go run ./bench peer-schema > bench/peer/schema.graphql

## check: formatting, vet, and generated code up to date
check:
	scripts/check

## assets: refresh the browser assets from the npm packages pinned in web/package.json: GraphiQL, and <kg-relationship-view> built by esbuild
assets:
	cd web && npm ci --no-audit --no-fund
	cp web/node_modules/react/umd/react.production.min.js web/node_modules/react-dom/umd/react-dom.production.min.js \
	   web/node_modules/graphiql/graphiql.min.js web/node_modules/graphiql/graphiql.min.css web/explorer/
	cp web/node_modules/vue/dist/vue.global.prod.js web/examples/vendor/
	cd web && node_modules/.bin/esbuild component/kg-relationship-view.js --bundle --format=esm --minify \
	   --target=es2020 --legal-comments=eof --outfile=embed/kg-relationship-view.js

## build: the server binary in bin/
build:
	go build -o bin/server ./server

neo4j-start:
	scripts/neo4j-start

neo4j-stop:
	scripts/neo4j-stop

## bench: benchmark every root query on a synthetic graph (BENCH_ENTITIES, BENCH_RELATIONSHIPS), on the test Neo4j
bench:
	scripts/test -run '^$$' -bench . -benchtime 20x -timeout 60m

## venv: the Python environment of examples/notebooks/requirements.txt at .venv (cached by the requirements' hash)
venv:
	scripts/venv

## python-test: read every export with pandas, networkx, stix2 and stix2-validator, against a seeded server (CYBERKG_HTTP_ADDR, default 127.0.0.1:8090)
python-test: venv
	scripts/with-server scripts/python-test

## notebooks: execute every notebook in examples/notebooks against a seeded server and save their outputs
notebooks: venv
	scripts/with-server .venv/bin/python examples/notebooks/run.py

## bench-feed: BenchmarkFeed1000Subscribers (docs/feed.md) on the test Neo4j, without the race detector: its 1,000 clients share the benchmark's process
bench-feed:
	@export NEO4J_STATE_DIR=$(CURDIR)/.neo4j-test NEO4J_BOLT_PORT=$${NEO4J_TEST_BOLT_PORT:-7688}; \
	if [ -z "$$NEO4J_URI" ]; then \
	  out=$$(scripts/neo4j-start) || { echo "$$out"; exit 1; }; echo "$$out"; \
	  [[ $$out == *"already running"* ]] || trap 'scripts/neo4j-stop' EXIT; \
	  export NEO4J_URI=bolt://127.0.0.1:$$NEO4J_BOLT_PORT NEO4J_USER=neo4j NEO4J_PASSWORD_FILE=$$NEO4J_STATE_DIR/password; \
	fi; \
	FEED_BENCH_GOMEMLIMIT=$${FEED_BENCH_GOMEMLIMIT:-256MiB} go test -count=1 -timeout 30m ./server/ -run '^$$' -bench BenchmarkFeed1000Subscribers -benchtime 1x

## bench-view: time in chromium until a 1,000-entity neighbourhood of a synthetic graph is drawn and interactive; replaces the test database's graph
bench-view:
	BENCH_ENTITIES=$${BENCH_ENTITIES:-5000} BENCH_RELATIONSHIPS=$${BENCH_RELATIONSHIPS:-25000} \
	  scripts/test -run '^$$' -bench RelationshipView -benchtime 5x -timeout 30m

## screenshots: the README's pictures of the explorer and of the element in an app, taken by the browser tests into docs/screenshots
screenshots:
	SCREENSHOTS=$(CURDIR)/docs/screenshots scripts/test -run 'TestRelationshipView|TestExplorer'

## bench-compare: our server vs the Neo4j GraphQL Library 7 vs raw Cypher on a synthetic graph, in a Neo4j of its own (BENCHMARKS.md); BENCH_FLAGS go to `bench compare`
bench-compare:
	scripts/bench-compare $(BENCH_FLAGS)
