// The store's search ranking (store/search.go: RankCandidates, rank,
// wordMatches, queryWords, fold), ported line for line so that the peer
// ranks full-text candidates exactly as our server does. Go semantics kept:
// lengths are UTF-8 bytes, lower-casing is per code point (Go's
// strings.ToLower), strings compare by code point (Go's byte order), the
// sort is stable. bench/rank_test.go checks it against the Go.

// The words Lucene's standard analyzer drops.
const stopWords = new Set(["a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
  "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was",
  "will", "with"]);

const wordPattern = /[\p{L}\p{N}]+(?:\.\p{N}+)*/gu;

// lower is Go's strings.ToLower: the simple (one code point) mapping, so
// no final sigma and İ → i, where JavaScript's toLowerCase differs.
function lower(s) {
  return s.replace(/\u0130/g, "i").replace(/\u03a3/g, "\u03c3").toLowerCase();
}

// fold lower-cases and strips accents: "São Paulo" → "sao paulo".
export function fold(s) {
  return lower(s.normalize("NFD").replace(/\p{Mn}/gu, "").normalize("NFC"));
}

export function queryWords(text) {
  return fold(text).match(wordPattern) ?? [];
}

const hasDigit = (s) => /\p{Nd}/u.test(s);
const byteLength = (s) => Buffer.byteLength(s, "utf8");

// Go's strings.TrimSpace: unicode.IsSpace at both ends.
const space = "[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const trimPattern = new RegExp(`^${space}+|${space}+$`, "gu");
const trimSpace = (s) => s.replace(trimPattern, "");

// levenshtein over code points, as github.com/agnivade/levenshtein.
function levenshtein(a, b) {
  const s = Array.from(a);
  const t = Array.from(b);
  if (s.length === 0) return t.length;
  if (t.length === 0) return s.length;
  let row = Array.from({ length: s.length + 1 }, (_, i) => i);
  for (let i = 0; i < t.length; i++) {
    const next = [i + 1];
    for (let j = 0; j < s.length; j++) {
      next.push(Math.min(row[j] + (t[i] === s[j] ? 0 : 1), row[j + 1] + 1, next[j] + 1));
    }
    row = next;
  }
  return row[s.length];
}

// wordMatches: the same word, a word it begins (3 bytes or more), or one
// within a small edit distance; numbers match only exactly.
function wordMatches(w, h) {
  if (w === h) return true;
  if (hasDigit(w)) return false;
  const n = byteLength(w);
  if (n >= 3 && h.startsWith(w)) return true;
  if (n >= 8) return levenshtein(w, h) <= 2;
  if (n >= 4) return levenshtein(w, h) <= 1;
  return false;
}

const str = (v) => (typeof v === "string" ? v : "");

function facts(json) {
  try {
    const list = JSON.parse(str(json));
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

function rank(words, text, e, lucene, holdsFigure) {
  const aliases = (e.aliases ?? []).map(str);
  const fields = [str(e.name), str(e.description), ...aliases];
  for (const f of facts(e.facts)) fields.push(str(f?.value), str(f?.unit));
  const have = queryWords(fields.join(" "));
  let matched = 0;
  for (const w of words) {
    if (!stopWords.has(w) && have.some((h) => wordMatches(w, h))) matched++;
  }
  const exact = lower(trimSpace(text));
  if (lower(str(e.name)) === exact || aliases.some((a) => lower(a) === exact)) matched++;
  if (holdsFigure) matched++;
  return matched + lucene / (lucene + 1);
}

// compare orders strings by code point, as Go orders them by UTF-8 bytes.
function compare(a, b) {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      const sx = x >= 0xd800 && x <= 0xdfff;
      const sy = y >= 0xd800 && y <= 0xdfff;
      if (sx !== sy) return sx ? 1 : -1; // a surrogate is a code point above the whole BMP
      return x < y ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : 1;
}

// rankCandidates ranks {entity, score, fact} candidates, in the order the
// candidate Cypher returned them, and keeps the first: [{score, entity}].
export function rankCandidates(text, candidates, first) {
  const words = queryWords(text);
  const hits = (candidates ?? []).map((c) => ({
    score: rank(words, text, c.entity ?? {}, typeof c.score === "number" ? c.score : 0, c.fact === true),
    entity: c.entity,
  }));
  hits.sort((a, b) => (b.score > a.score ? 1 : b.score < a.score ? -1 : 0) ||
    compare(str(a.entity?.name), str(b.entity?.name)) || compare(str(a.entity?.id), str(b.entity?.id)));
  return hits.slice(0, first);
}
