#!/usr/bin/env bash
# Puts the schema through clients no one here wrote, as CI does: the
# committed graphql-schema-linter configuration, relay-compiler on a small
# app (@connection on an entity's relationships, @refetchable on an entity
# fragment), GraphQL Code Generator's TypeScript compiled by tsc (Date as
# string), and graphql-js validating the element's and the notebooks'
# operations. Packages come from package-lock.json.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

[[ -d node_modules && node_modules/.package-lock.json -nt package-lock.json ]] || npm ci --no-audit --no-fund
# Files that extend types (curation's) come after those that define them:
# relay-compiler reads the one file in order.
base=() extensions=()
for f in ../schema/*.graphqls; do
  if grep -q '^extend ' "$f"; then extensions+=("$f"); else base+=("$f"); fi
done
cat "${base[@]}" "${extensions[@]}" > schema.graphql

node_modules/.bin/graphql-schema-linter
mkdir -p relay/__generated__
node_modules/.bin/relay-compiler
node_modules/.bin/graphql-codegen --config codegen/codegen.yml --silent
node_modules/.bin/tsc -p codegen/tsconfig.json
node --no-warnings operations/validate.mjs
echo "clients: ok"
