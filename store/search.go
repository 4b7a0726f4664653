package store

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/agnivade/levenshtein"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"cyberkg/errs"
	"cyberkg/kg"
)

// Hit is one search result.
type Hit struct {
	Score  float64
	Entity kg.Entity
}

// Search finds entities by what a user types: words in their names, aliases,
// descriptions and facts, and figures ("$975 million", "1.65 terabytes") that
// they hold as facts. Full text finds the candidates; they are then ranked
// by how many of the query's words each matches, and among equals by the
// full-text score, so that an entity matching "snowden revelations" whole
// comes before one matching "snowden" alone, however short its name.
//
// Score is the number of query words matched (plus one for a whole-name
// match, plus one for holding a figure of the query as a fact), with the
// full-text score squashed into the fraction: higher is better, and the
// integer part says why.
func (s *Store) Search(ctx context.Context, p Projection, text string, kinds []kg.Kind, first int) ([]Hit, error) {
	cypher, params, err := SearchCandidates(p, text, kinds, first)
	if err != nil {
		return nil, err
	}
	recs, err := s.readOne(ctx, "store.Search", cypher, params)
	if err != nil {
		return nil, err
	}
	candidates := make([]map[string]any, len(recs))
	for i, rec := range recs {
		candidates[i] = rec.Values[0].(map[string]any)
	}
	return RankCandidates(text, candidates, first), nil
}

// SearchCandidates is the Cypher and its parameters with which Search
// fetches the candidates for text: the best full-text hits, then (when the
// text holds a figure) the entities whose facts hold it; each once, with
// its best score. Each row has one column, candidate: {entity, score,
// fact}, the entity as entityProjection (with what ranking reads), its
// full-text score, and whether it holds a figure of text as a fact.
// RankCandidates orders them. The benchmark runs the same.
func SearchCandidates(p Projection, text string, kinds []kg.Kind, first int) (cypher string, params map[string]any, err error) {
	words := queryWords(text)
	q := luceneQuery(words)
	if q == "" {
		return "", nil, errs.Invalidf("search text %q has no letters or digits to search for", text)
	}
	var ks any
	if len(kinds) > 0 {
		for _, k := range kinds {
			if _, ok := kg.ParseKind(string(k)); !ok {
				return "", nil, errs.Invalidf("unknown kind %q", k)
			}
		}
		names := kindStrings(kinds)
		ks = names
		// The index holds the kind too, so Lucene keeps only these kinds
		// before it takes the best candidates. Boosted by 0, the clause
		// leaves every score as it is without it.
		q = "+kind:(" + strings.Join(names, " OR ") + ")^0 +(" + q + ")"
	}
	needles := factNeedles(text)
	params = map[string]any{"index": SearchIndex, "query": q, "kinds": ks, "needles": needles,
		"candidates": max(5*first, 50)}
	return SearchCandidatesCypher(p, len(needles) > 0), params, nil
}

// SearchCandidatesCypher is SearchCandidates' Cypher, with the clause that
// finds the entities holding a figure as a fact ($needles, see factNeedles)
// or without it. Its parameters are $index, $query, $kinds (null for all),
// $needles and $candidates, the most rows it returns.
func SearchCandidatesCypher(p Projection, figures bool) string {
	return searchCandidatesCypher(p, figures, "")
}

// searchCandidatesCypher is SearchCandidatesCypher keeping only the nodes
// that meet held (SearchAt's record time), or all when it is empty.
func searchCandidatesCypher(p Projection, figures bool, held string) string {
	// Whatever the caller shows, ranking reads these.
	entity := entityProjection(p, "node", "name", "aliases", "description", "facts")
	if held != "" {
		held = " AND " + held
	}
	if !figures && held == "" {
		// The limit lets Lucene keep the best hits as it scores them: without
		// it, a common word at 1M entities hands Cypher 15,000-90,000 nodes
		// to sort for 50 (the query's p95 was 42 ms, 14-18 ms with it).
		return `CALL db.index.fulltext.queryNodes($index, $query, {limit: $candidates}) YIELD node, score
		WHERE $kinds IS NULL OR node.kind IN $kinds
		WITH node, score ORDER BY score DESC LIMIT $candidates
		RETURN {entity: ` + entity + `, score: score, fact: false} AS candidate`
	}
	// With figures, a full-text hit past the best $candidates may hold one
	// and so rank among them with its full-text score: no limit here; nor
	// at a record time, where hits that did not hold then are left out
	// after Lucene's limit.
	figureScan := `
			UNION
			MATCH (node:Entity) WHERE any(x IN $needles WHERE node.facts CONTAINS x)
			RETURN node, 0.0 AS score`
	if !figures {
		figureScan = ""
	}
	return `CALL {
			CALL db.index.fulltext.queryNodes($index, $query) YIELD node, score
			RETURN node, score` + figureScan + `
		}
		WITH node, max(score) AS score
		WHERE ($kinds IS NULL OR node.kind IN $kinds)` + held + `
		WITH node, score, any(x IN $needles WHERE node.facts CONTAINS x) AS fact
		ORDER BY fact DESC, score DESC LIMIT $candidates
		RETURN {entity: ` + entity + `, score: score, fact: fact} AS candidate`
}

// RankCandidates ranks the candidates SearchCandidates' Cypher returned
// (the values of its column candidate, in its order) as Search does, and
// keeps the first.
func RankCandidates(text string, candidates []map[string]any, first int) []Hit {
	cs := make([]candidate, len(candidates))
	for i, c := range candidates {
		n, _ := c["entity"].(map[string]any)
		cs[i].entity = entityFrom(n)
		cs[i].score, _ = c["score"].(float64)
		cs[i].fact, _ = c["fact"].(bool)
	}
	return rankCandidates(text, cs, first)
}

// candidate is a full-text hit: the entity, its full-text score and whether
// it holds a figure of the text as a fact.
type candidate struct {
	entity kg.Entity
	score  float64
	fact   bool
}

func rankCandidates(text string, candidates []candidate, first int) []Hit {
	words := queryWords(text)
	hits := make([]Hit, 0, len(candidates))
	for _, c := range candidates {
		hits = append(hits, Hit{Score: rank(words, text, c.entity, c.score, c.fact), Entity: c.entity})
	}
	slices.SortStableFunc(hits, func(a, b Hit) int {
		// Ties by name, then id: equal names must not come back in the
		// index's arbitrary order.
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.Entity.Name, b.Entity.Name), cmp.Compare(a.Entity.ID, b.Entity.ID))
	})
	return hits[:min(first, len(hits))]
}

// rank scores one candidate; see Search.
func rank(words []string, text string, e kg.Entity, lucene float64, holdsFigure bool) float64 {
	var fields []string
	fields = append(fields, e.Name, e.Description)
	fields = append(fields, e.Aliases...)
	for _, f := range e.Facts {
		fields = append(fields, f.Value, f.Unit)
	}
	have := queryWords(strings.Join(fields, " "))
	matched := 0
	for _, w := range words {
		if !stopWords[w] && slices.ContainsFunc(have, func(h string) bool { return wordMatches(w, h) }) {
			matched++
		}
	}
	exact := strings.ToLower(strings.TrimSpace(text))
	if strings.ToLower(e.Name) == exact || slices.ContainsFunc(e.Aliases, func(a string) bool { return strings.ToLower(a) == exact }) {
		matched++
	}
	if holdsFigure {
		matched++
	}
	return float64(matched) + lucene/(lucene+1)
}

// wordMatches is the Go side of the Lucene clauses luceneQuery writes: the
// same word, a word it begins (3 letters or more), or one within a small
// edit distance; numbers match only exactly.
func wordMatches(w, h string) bool {
	switch {
	case w == h:
		return true
	case hasDigit(w):
		return false
	case len(w) >= 3 && strings.HasPrefix(h, w):
		return true
	case len(w) >= 8:
		return levenshtein.ComputeDistance(w, h) <= 2
	case len(w) >= 4:
		return levenshtein.ComputeDistance(w, h) <= 1
	}
	return false
}

// stopWords are the words Lucene's standard analyzer drops: counting them
// would rank "theft of secrets" by its "of".
var stopWords = map[string]bool{"a": true, "an": true, "and": true, "are": true, "as": true, "at": true, "be": true,
	"but": true, "by": true, "for": true, "if": true, "in": true, "into": true, "is": true, "it": true, "no": true,
	"not": true, "of": true, "on": true, "or": true, "such": true, "that": true, "the": true, "their": true,
	"then": true, "there": true, "these": true, "they": true, "this": true, "to": true, "was": true, "will": true, "with": true}

// queryWords splits text into folded words of letters and digits, keeping
// a decimal point between digits ("1.65" stays one word, as Lucene's
// tokenizer keeps it), so that Lucene's special characters never reach its
// parser.
func queryWords(text string) []string {
	return wordPattern.FindAllString(fold(text), -1)
}

var wordPattern = regexp.MustCompile(`[\pL\pN]+(?:\.\pN+)*`)

func hasDigit(s string) bool { return strings.ContainsFunc(s, unicode.IsDigit) }

// luceneQuery turns the words into a Lucene query that cannot be a syntax
// error: each word matches exactly (boosted), as a prefix, or within a small
// edit distance ("snowdon" finds Snowden, "qualcom" Qualcomm) — a number
// only exactly; a match in the name weighs more than one in an alias, and
// both more than one in the description.
func luceneQuery(words []string) string {
	var clauses []string
	for _, w := range words {
		parts := []string{w + "^4"}
		if !hasDigit(w) {
			if len(w) >= 3 {
				parts = append(parts, w+"*^2")
			}
			switch {
			case len(w) >= 8:
				parts = append(parts, w+"~2")
			case len(w) >= 4:
				parts = append(parts, w+"~1")
			}
		}
		clauses = append(clauses, "("+strings.Join(parts, " OR ")+")")
	}
	if len(clauses) == 0 {
		return ""
	}
	if len(clauses) > 16 { // a search box, not a document: bound the query's cost
		clauses = clauses[:16]
	}
	q := strings.Join(clauses, " ")
	return fmt.Sprintf("name:(%[1]s)^3 OR aliasText:(%[1]s)^2 OR description:(%[1]s)", q)
}

// A figure as people type it: "$975 million", "1.65 terabytes", "20,000".
var figurePattern = regexp.MustCompile(`(?i)(\d+(?:,\d{3})*(?:\.\d+)?)\s*(thousand|million|billion|trillion|bn|m|k)?\b`)

var scales = map[string]float64{"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9, "trillion": 1e12}

// factNeedles are the fragments of the stored facts JSON (props.go's
// factJSON, whose number Go encodes without exponent) that hold each figure
// of the text, at its face value and scaled: "$975 million" is 975000000,
// "1.65 terabytes" 1.65.
func factNeedles(text string) []string {
	var values []float64
	for _, m := range figurePattern.FindAllStringSubmatch(text, 4) {
		n, err := strconv.ParseFloat(strings.ReplaceAll(m[1], ",", ""), 64)
		if err != nil {
			continue
		}
		if scale := scales[strings.ToLower(m[2])]; scale != 0 {
			n *= scale
		}
		values = append(values, n)
	}
	for _, w := range queryWords(text) { // the brief writes small counts in words: "only nine"
		if n, ok := numberWords[w]; ok {
			values = append(values, n)
		}
	}
	var out []string
	for _, v := range values {
		if !math.IsInf(v, 0) {
			num := strconv.FormatFloat(v, 'f', -1, 64)
			out = append(out, `"number":`+num+`,`, `"number":`+num+`}`)
		}
	}
	return out
}

var numberWords = map[string]float64{"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
	"eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "dozen": 12, "twenty": 20, "hundred": 100}

// fold lower-cases and strips accents: "São Paulo" → "sao paulo".
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}
