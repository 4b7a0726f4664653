package synth

import (
	"reflect"
	"sort"
	"testing"
)

func TestGenerateIsValidDeterministicAndSkewed(t *testing.T) {
	ds := Generate(2000, 10000, 7)
	if probs := ds.Validate(); len(probs) > 0 {
		t.Fatalf("%d problems, first: %v", len(probs), probs[0])
	}
	if len(ds.Entities) != 2000 || len(ds.Relationships) != 10000 {
		t.Fatalf("got %d entities, %d relationships", len(ds.Entities), len(ds.Relationships))
	}
	if again := Generate(2000, 10000, 7); !reflect.DeepEqual(ds, again) {
		t.Error("the same seed gave a different graph")
	}
	deg := map[string]int{}
	for _, r := range ds.Relationships {
		deg[r.From]++
		deg[r.To]++
	}
	var ds2 []int
	for _, d := range deg {
		ds2 = append(ds2, d)
	}
	sort.Ints(ds2)
	if top, median := ds2[len(ds2)-1], ds2[len(ds2)/2]; top < 50*median {
		t.Errorf("degrees not skewed: top %d, median %d", top, median)
	}
}
