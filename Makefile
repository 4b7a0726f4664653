# Everything a developer runs. A local Neo4j 5.26 is provisioned from Maven
# Central and started on demand unless NEO4J_URI names another one.
SHELL := /bin/bash
NEO4J_BOLT_PORT ?= 7687
export NEO4J_BOLT_PORT

.PHONY: run test seed generate check assets bench bench-view screenshots neo4j-start neo4j-stop build

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

## bench: benchmark every root query on a synthetic graph (BENCH_ENTITIES, BENCH_RELATIONSHIPS); replaces the test database's graph
bench:
	@[ -n "$$NEO4J_URI" ] || scripts/neo4j-start
	NEO4J_URI=$${NEO4J_URI:-bolt://127.0.0.1:$(NEO4J_BOLT_PORT)} go test -run '^$$' -bench . -benchtime 20x -timeout 60m ./server

## bench-view: time in chromium until a 1,000-entity neighbourhood of a synthetic graph is drawn and interactive; replaces the test database's graph
bench-view:
	@[ -n "$$NEO4J_URI" ] || scripts/neo4j-start
	NEO4J_URI=$${NEO4J_URI:-bolt://127.0.0.1:$(NEO4J_BOLT_PORT)} BENCH_ENTITIES=$${BENCH_ENTITIES:-5000} BENCH_RELATIONSHIPS=$${BENCH_RELATIONSHIPS:-25000} \
	  go test -run '^$$' -bench RelationshipView -benchtime 5x -timeout 30m ./server

## screenshots: the README's pictures of the explorer and of the element in an app, taken by the browser tests into docs/screenshots
screenshots:
	SCREENSHOTS=$(CURDIR)/docs/screenshots scripts/test -run 'TestRelationshipView|TestExplorer'
