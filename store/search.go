package store

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
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

// Search runs a full-text query over names, aliases and descriptions and
// returns the best first hits, optionally of some kinds only.
func (s *Store) Search(ctx context.Context, text string, kinds []kg.Kind, first int) ([]Hit, error) {
	q := luceneQuery(text)
	if q == "" {
		return nil, errs.Invalidf("search text %q has no letters or digits to search for", text)
	}
	var ks any
	if len(kinds) > 0 {
		ks = kindStrings(kinds)
	}
	// An entity whose whole name or alias is the text comes first.
	const cypher = `CALL db.index.fulltext.queryNodes($index, $query) YIELD node, score
		WHERE $kinds IS NULL OR node.kind IN $kinds
		WITH node, score * CASE WHEN toLower(node.name) = $exact OR any(a IN node.aliases WHERE toLower(a) = $exact)
		                        THEN 3 ELSE 1 END AS score
		RETURN node{.*} AS n, score ORDER BY score DESC, node.name LIMIT $first`
	params := map[string]any{"index": SearchIndex, "query": q, "kinds": ks, "first": first,
		"exact": strings.ToLower(strings.TrimSpace(text))}
	var hits []Hit
	err := s.read(ctx, "store.Search", func(tx neo4j.ManagedTransaction) error {
		recs, err := s.query(ctx, tx, "store.Search", cypher, params)
		for _, rec := range recs {
			hits = append(hits, Hit{Score: rec.Values[1].(float64), Entity: entityFrom(rec.Values[0].(map[string]any))})
		}
		return err
	})
	return hits, err
}

// luceneQuery turns what a user typed into a Lucene query that cannot be a
// syntax error: the text is split into words of letters and digits (so
// Lucene's special characters never reach the parser), folded to lower-case
// ASCII, and each word matches exactly (boosted), as a prefix, or within a
// small edit distance ("snowdon" finds Snowden, "qualcom" Qualcomm); a
// match in the name weighs more than one in an alias, and both more than one
// in the description.
func luceneQuery(text string) string {
	words := strings.FieldsFunc(fold(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	var clauses []string
	for _, w := range words {
		parts := []string{w + "^4"}
		if len(w) >= 3 {
			parts = append(parts, w+"*^2")
		}
		switch {
		case len(w) >= 8:
			parts = append(parts, w+"~2")
		case len(w) >= 4:
			parts = append(parts, w+"~1")
		}
		clauses = append(clauses, "("+strings.Join(parts, " OR ")+")")
	}
	if len(clauses) == 0 {
		return ""
	}
	if len(clauses) > 16 { // a search box, not a document: bound the query's cost
		clauses = clauses[:16]
	}
	words = clauses
	q := strings.Join(words, " ")
	return fmt.Sprintf("name:(%[1]s)^3 OR aliasText:(%[1]s)^2 OR description:(%[1]s)", q)
}

// fold lower-cases and strips accents: "São Paulo" → "sao paulo".
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}
