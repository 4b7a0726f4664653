package store

import (
	"strings"
	"testing"
)

// Search text reaches Lucene only through queryWords and luceneQuery: whatever a user
// types, no syntax of theirs survives (so no query can fail to parse or
// change meaning) and the query stays bounded.
func FuzzLuceneQuery(f *testing.F) {
	for _, s := range []string{"snowden", "Snowdon", "São Paulo", `"unclosed`, "a AND b OR NOT c", "title:x", "x~2^9", "[a TO b]", `\`, "((((", "中国 网络安全法", strings.Repeat("w ", 40)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		q := luceneQuery(queryWords(text))
		if q == "" {
			return
		}
		if strings.ContainsAny(q, "\"\\[]{}!+-&|/?:") && strings.ContainsAny(strings.NewReplacer("name:(", "", "aliasText:(", "", "description:(", "").Replace(q), "\"\\[]{}!+-&|/?:") {
			t.Fatalf("luceneQuery(%q) = %q keeps Lucene syntax", text, q)
		}
		if n := strings.Count(q, "^4"); n > 3*16 {
			t.Fatalf("luceneQuery(%q) has %d clauses", text, n/3)
		}
	})
}
