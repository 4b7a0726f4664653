# Everything a developer runs. A local Neo4j 5.26 is provisioned from Maven
# Central and started on demand unless NEO4J_URI names another one.
SHELL := /bin/bash
NEO4J_BOLT_PORT ?= 7687
export NEO4J_BOLT_PORT

.PHONY: run test seed generate check assets bench bench-compare neo4j-start neo4j-stop build

## run: start Neo4j if needed, apply the schema, seed an empty graph, serve on http://127.0.0.1:8080
run:
	@[ -n "$$NEO4J_URI" ] || scripts/neo4j-start
	NEO4J_URI=$${NEO4J_URI:-bolt://127.0.0.1:$(NEO4J_BOLT_PORT)} go run ./server

## test: run every test against a real Neo4j, starting one if needed and stopping what it started
test:
	scripts/test

## seed: (re)load the seed data into the graph; SEED_FLAGS=-replace deletes the graph first (after make bench)
seed:
	@[ -n "$$NEO4J_URI" ] || scripts/neo4j-start
	NEO4J_URI=$${NEO4J_URI:-bolt://127.0.0.1:$(NEO4J_BOLT_PORT)} go run ./server seed $(SEED_FLAGS)

## generate: regenerate gqlgen's code from schema/
generate:
	go tool gqlgen generate

## check: formatting, vet, and generated code up to date
check:
	scripts/check

## assets: refresh the explorer's bundled assets from the npm packages pinned in web/package.json
assets:
	cd web && npm ci --no-audit --no-fund
	cp web/node_modules/react/umd/react.production.min.js web/node_modules/react-dom/umd/react-dom.production.min.js \
	   web/node_modules/graphiql/graphiql.min.js web/node_modules/graphiql/graphiql.min.css web/explorer/

## build: the server binary in bin/
build:
	go build -o bin/server ./server

neo4j-start:
	scripts/neo4j-start

neo4j-stop:
	scripts/neo4j-stop

## bench: benchmark every root query on a synthetic graph (BENCH_ENTITIES, BENCH_RELATIONSHIPS); replaces the test database's graph
bench:
	@[ -n "$$NEO4J_URI" ] || scripts/neo4j-start
	NEO4J_URI=$${NEO4J_URI:-bolt://127.0.0.1:$(NEO4J_BOLT_PORT)} go test -run '^$$' -bench . -benchtime 20x -timeout 60m ./server

## bench-compare: our server vs the Neo4j GraphQL Library 7 vs raw Cypher on a synthetic graph, in a Neo4j of its own (BENCHMARKS.md); BENCH_FLAGS go to `bench compare`
bench-compare:
	scripts/bench-compare $(BENCH_FLAGS)
