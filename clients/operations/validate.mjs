// Validates, with graphql-js, the operations that clients here send: the
// element's (web/component/operations.js), the explorer's
// (web/explore/explore.js) and the notebooks' (examples/notebooks). The
// element's and the explorer's must be named; every one must be valid
// against the schema (schema.graphql, the schema files concatenated by
// run.sh). Deprecated fields pass: they still work.
import { readFileSync, readdirSync } from "node:fs";
import { buildSchema, parse, validate, Kind } from "graphql";
import * as element from "../../web/component/operations.js";

const schema = buildSchema(readFileSync(new URL("../schema.graphql", import.meta.url), "utf8"));
let failed = 0;
let checked = 0;

function check(where, text, { named }) {
  checked++;
  if (process.env.VERBOSE) console.log("checked", where);
  let doc;
  try {
    doc = parse(text);
  } catch (e) {
    console.error(`${where}: ${e.message}`);
    failed++;
    return;
  }
  for (const def of doc.definitions) {
    if (named && def.kind === Kind.OPERATION_DEFINITION && !def.name) {
      console.error(`${where}: an operation without a name`);
      failed++;
    }
  }
  for (const e of validate(schema, doc)) {
    console.error(`${where}: ${e.message}`);
    failed++;
  }
}

// The element: each query as it is sent, with the fragments it is sent with.
for (const [mode, q] of Object.entries(element.QUERIES)) {
  check(`element ${mode}`, `${q} ${element.NODE} ${element.EDGE}`, { named: true });
  check(`element ${mode} (light)`, `${q} ${element.NODE} ${element.EDGE_LIGHT}`, { named: true });
}
check("element edge evidence", element.EDGE_EVIDENCE, { named: true });

// The explorer: its query constants, template literals without substitutions.
const explore = readFileSync(new URL("../../web/explore/explore.js", import.meta.url), "utf8");
for (const m of explore.matchAll(/^const (\w+) = `((?:query|fragment)(?:[^`$]|\$(?!\{))*)`;/gms)) {
  check(`explorer ${m[1]}`, m[2], { named: true });
}

// The notebooks: the queries each passes to gql() as a plain string, and
// each call of its paging helper every(field, args, selection) as the
// helper's f-string makes it.
const dir = new URL("../../examples/notebooks/", import.meta.url);
const pyString = String.raw`"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'`;
const every = new RegExp(String.raw`\bevery\(\s*(?:${pyString}),\s*(?:${pyString}),\s*(?:${pyString})\s*\)`, "g");
for (const name of readdirSync(dir).filter((f) => f.endsWith(".ipynb"))) {
  const nb = JSON.parse(readFileSync(new URL(name, dir), "utf8"));
  const code = nb.cells.filter((c) => c.cell_type === "code").map((c) => [].concat(c.source).join("")).join("\n");
  let template = null;
  for (const m of code.matchAll(/gql\(\s*(f?)"""([\s\S]*?)"""/g)) {
    if (m[1] === "f") template = m[2];
    else check(name, m[2], { named: false });
  }
  for (const m of code.matchAll(every)) {
    const [field, args, selection] = [m[1] ?? m[2], m[3] ?? m[4], m[5] ?? m[6]];
    if (!template) throw new Error(`${name}: every() without its template`);
    const q = template.replace("{field}", field).replace("{args}", args).replace("{selection}", selection)
      .replaceAll("{{", "{").replaceAll("}}", "}");
    check(`${name} every(${field})`, q, { named: false });
  }
}

if (failed) {
  console.error(`operations: ${failed} problems in ${checked} documents`);
  process.exit(1);
}
console.log(`operations: ${checked} documents valid`);
