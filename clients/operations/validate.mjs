// Validates, with graphql-js, the operations that clients here send: the
// element's (web/component/operations.js), the explorer's
// (web/explore/*.js) and the notebooks' (examples/notebooks). Every one
// must be named, so that logs, traces and the server's metrics tell them
// apart, and valid against the schema (schema.graphql, the schema files
// concatenated by run.sh). Deprecated fields pass: they still work.
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

// The explorer: its operation constants, template literals without substitutions.
const exploreDir = new URL("../../web/explore/", import.meta.url);
for (const file of readdirSync(exploreDir).filter((f) => f.endsWith(".js"))) {
  const explore = readFileSync(new URL(file, exploreDir), "utf8");
  for (const m of explore.matchAll(/^const (\w+) = `((?:query|mutation|fragment)(?:[^`$]|\$(?!\{))*)`;/gms)) {
    check(`explorer ${file} ${m[1]}`, m[2], { named: true });
  }
}

// The notebooks: the operations each passes to gql() or write() as a plain
// string or keeps in a constant (NAME = """query …"""), and each call of
// its paging helper every(name, field, args, selection) as the helper's
// f-string makes it.
const dir = new URL("../../examples/notebooks/", import.meta.url);
const pyString = String.raw`"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'`;
const every = new RegExp(String.raw`\bevery\(\s*(?:${pyString}),\s*(?:${pyString}),\s*(?:${pyString}),\s*(?:${pyString})\s*\)`, "g");
for (const name of readdirSync(dir).filter((f) => f.endsWith(".ipynb"))) {
  const nb = JSON.parse(readFileSync(new URL(name, dir), "utf8"));
  const code = nb.cells.filter((c) => c.cell_type === "code").map((c) => [].concat(c.source).join("")).join("\n");
  let template = null;
  for (const m of code.matchAll(/(?:\b(?:gql|write)\(\s*|^[A-Z_]+ = )(f?)"""([\s\S]*?)"""/gm)) {
    if (m[1] === "f") template = m[2];
    else if (/^\s*(?:query|mutation|subscription|fragment)\b/.test(m[2]) || /^\s*\{/.test(m[2])) check(name, m[2], { named: true });
  }
  for (const m of code.matchAll(every)) {
    const [opName, field, args, selection] = [m[1] ?? m[2], m[3] ?? m[4], m[5] ?? m[6], m[7] ?? m[8]];
    if (!template) throw new Error(`${name}: every() without its template`);
    const q = template.replace("{name}", opName).replace("{field}", field).replace("{args}", args).replace("{selection}", selection)
      .replaceAll("{{", "{").replaceAll("}}", "}");
    check(`${name} every(${field})`, q, { named: true });
  }
}

if (failed) {
  console.error(`operations: ${failed} problems in ${checked} documents`);
  process.exit(1);
}
console.log(`operations: ${checked} documents valid`);
