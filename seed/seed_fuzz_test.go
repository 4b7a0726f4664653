package seed_test

import (
	"testing"

	"cyberkg/seed"
)

// Whatever a seed file holds, Parse answers without panicking, and a
// dataset it returns passes validation: a broken file is refused whole.
func FuzzParse(f *testing.F) {
	f.Add(acme)
	f.Add(acme + "relationships:\n  - type: FINED\n    from: regulator\n    to: acme\n    start: \"2015\"\n    confidence: CONFIRMED\n    evidence: [{p: 2, quote: \"fined $5 million\"}]\n")
	f.Add("  - id: x\n    kind: NOPE\n")
	f.Add("entities: [")
	f.Add("  - &a {id: a}\n  - *a\n")
	f.Fuzz(func(t *testing.T, data string) {
		ds, err := seed.Parse(fixture(data))
		if err != nil {
			return
		}
		if probs := ds.Validate(); len(probs) > 0 {
			t.Fatalf("Parse accepted a dataset with problems: %v", probs)
		}
	})
}
