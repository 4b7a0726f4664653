// Package synth generates a synthetic knowledge graph in the same model as
// the seed (kinds, relationship types, dates of every precision, facts and
// evidence) but of any size, with the skewed degrees of real graphs: a few
// hubs (states, big agencies) touch a large share of all relationships.
// Benchmarks run the API on it.
package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"cyberkg/kg"
)

// Source is the id of the synthetic source document every quote cites.
const Source = "synthetic-source"

// paragraphs in the synthetic source; quotes name their paragraph.
const paragraphs = 1000

// Generate returns a dataset of n entities and m relationships, the same for
// the same seed. Entity ids are "e<i>"; relationship ids "r<j>".
func Generate(n, m int, seed uint64) *kg.Dataset {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	ds := &kg.Dataset{Sources: kg.Sources{Source: sourceText()}}

	ds.Entities = append(ds.Entities, kg.Entity{
		ID: Source, Kind: kg.Report, Name: "Synthetic source", Description: "The document every synthetic quote cites.",
		Evidence: []kg.Evidence{evidence(rng)},
	})
	for i := 1; i < n; i++ {
		k := kinds[rng.IntN(len(kinds))]
		e := kg.Entity{
			ID:          fmt.Sprintf("e%d", i),
			Kind:        k,
			Name:        name(rng, k),
			Description: fmt.Sprintf("Synthetic %s number %d, %s.", k, i, words(rng, 6)),
			Evidence:    []kg.Evidence{evidence(rng)},
		}
		if rng.IntN(5) < 3 { // most entities are dated, at every precision
			e.Start = date(rng)
		}
		if rng.IntN(10) == 0 {
			e.Aliases = []string{fmt.Sprintf("%s %d", syllables(rng, 2), i)}
		}
		if k == kg.Report && rng.IntN(4) == 0 {
			v := float64(rng.IntN(1000))
			e.Facts = []kg.Fact{{Name: "count", Value: fmt.Sprint(v), Number: &v, Unit: "incidents", Evidence: []kg.Evidence{evidence(rng)}}}
		}
		ds.Entities = append(ds.Entities, e)
	}

	// Zipf-distributed ends give power-law degrees; a random permutation
	// spreads the hubs over all kinds.
	zipf := rand.NewZipf(rng, 1.2, 4, uint64(n-1))
	perm := rng.Perm(n)
	end := func() int { return perm[int(zipf.Uint64())] }
	for j := 0; j < m; j++ {
		from, to := end(), rng.IntN(n)
		if rng.IntN(2) == 0 {
			from, to = to, from
		}
		if from == to {
			to = (to + 1) % n
		}
		t := kg.RelTypes[rng.IntN(len(kg.RelTypes))].Type
		r := kg.Relationship{
			ID:          fmt.Sprintf("r%d", j),
			Type:        t,
			From:        ds.Entities[from].ID,
			To:          ds.Entities[to].ID,
			Description: words(rng, 5),
			Confidence:  kg.Confidences[rng.IntN(len(kg.Confidences))].Level,
			Evidence:    []kg.Evidence{evidence(rng)},
		}
		if rng.IntN(3) == 0 {
			r.Start = date(rng)
			if rng.IntN(4) == 0 {
				r.End = kg.Date{Year: r.Start.Year + 1 + rng.IntN(5)}
			}
		}
		if rng.IntN(10) == 0 {
			r.ClaimedBy = []string{ds.Entities[end()].ID}
		}
		ds.Relationships = append(ds.Relationships, r)
	}
	return ds
}

var kinds = func() []kg.Kind {
	var out []kg.Kind
	for _, k := range kg.Kinds {
		out = append(out, k.Kind)
	}
	return out
}()

func sourceText() []string {
	out := make([]string, paragraphs)
	for i := range out {
		out[i] = fmt.Sprintf("Synthetic paragraph %d of the source, quoted as evidence.", i+1)
	}
	return out
}

func evidence(rng *rand.Rand) kg.Evidence {
	p := 1 + rng.IntN(paragraphs)
	return kg.Evidence{Source: Source, Paragraph: p, Quote: fmt.Sprintf("Synthetic paragraph %d", p)}
}

func date(rng *rand.Rand) kg.Date {
	d := kg.Date{Year: 1990 + rng.IntN(36)}
	switch rng.IntN(3) {
	case 1:
		d.Month = 1 + rng.IntN(12)
	case 2:
		d.Month, d.Day = 1+rng.IntN(12), 1+rng.IntN(28)
	}
	return d
}

var sounds = []string{"ka", "lo", "mi", "ren", "sha", "tu", "vor", "zen", "qi", "bal", "dor", "fen", "gar", "hu", "jin", "nor", "pel", "sol", "tan", "wei"}

func syllables(rng *rand.Rand, n int) string {
	b := []byte{}
	for i := 0; i < n; i++ {
		b = append(b, sounds[rng.IntN(len(sounds))]...)
	}
	b[0] -= 'a' - 'A'
	return string(b)
}

func words(rng *rand.Rand, n int) string {
	s := syllables(rng, 2)
	for i := 1; i < n; i++ {
		s += " " + sounds[rng.IntN(len(sounds))] + sounds[rng.IntN(len(sounds))]
	}
	return s
}

func name(rng *rand.Rand, k kg.Kind) string {
	switch k {
	case kg.Firm:
		return syllables(rng, 3) + " Corp"
	case kg.Agency:
		return "Bureau of " + syllables(rng, 3)
	case kg.Person:
		return syllables(rng, 2) + " " + syllables(rng, 3)
	case kg.Event:
		return syllables(rng, 3) + " incident"
	default:
		return syllables(rng, 3) + " " + strings.ToLower(string(k))
	}
}
