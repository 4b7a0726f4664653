package store_test

import (
	"context"
	"slices"
	"testing"

	"cyberkg/internal/dbtest"
	"cyberkg/store"
)

// Queries as people type them into the explorer's search box, against the
// seeded graph: the entity they are after comes first.
func TestSearchRanksWhatPeopleType(t *testing.T) {
	s, _ := dbtest.Seeded(t)
	tests := []struct {
		text, want string
		above      []string // entities that match fewer words, maybe one of them exactly
	}{
		// Multi-word queries: matching more words beats matching one word exactly.
		{"cisco sales decline", "cisco-china-sales-decline-2013", []string{"cisco"}},
		{"windows 8 ban", "windows-8-procurement-ban", []string{"windows-8"}},
		{"qualcomm fine", "qualcomm-antitrust-fine", []string{"qualcomm"}},
		{"opm hack", "opm-breach-2015", []string{"opm"}},
		{"snowden revelations", "snowden-revelations", []string{"edward-snowden"}},
		{"chinese cybersecurity law", "china-cybersecurity-law", nil},
		// Figures with decimals and units find the entity holding them as a fact.
		{"1.65 terabytes", "intelligence-report-2016", nil},
		{"$975 million", "qualcomm-antitrust-fine", nil},
		{"20 million people", "opm-breach-2015", nil},
		{"975,000,000", "qualcomm-antitrust-fine", nil},
		// A one-word query still finds its exact match first.
		{"cisco", "cisco", nil},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			hits, err := s.Search(context.Background(), store.All, tt.text, nil, 10)
			if err != nil {
				t.Fatal(err)
			}
			// A caller showing ids alone gets the same ranking: the
			// candidates carry what ranking reads whatever is shown.
			few, err := s.Search(context.Background(), store.Project(nil, nil), tt.text, nil, 10)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(hits, few, func(a, b store.Hit) bool { return a.Score == b.Score && a.Entity.ID == b.Entity.ID }) {
				t.Errorf("search %q ranks %v when only ids are shown, %v otherwise", tt.text, ids(few), ids(hits))
			}
			if len(few) > 0 && len(few[0].Entity.Evidence) > 0 {
				t.Errorf("search %q read evidence nothing shows", tt.text)
			}
			got := ids(hits)
			if len(got) == 0 || got[0] != tt.want {
				t.Fatalf("search %q = %v, want %s first", tt.text, got, tt.want)
			}
			for _, lower := range tt.above {
				if i := slices.Index(got, lower); i >= 0 && i < slices.Index(got, tt.want) {
					t.Errorf("search %q ranks %s above %s: %v", tt.text, lower, tt.want, got)
				}
			}
		})
	}
}

// Every figure the seed holds as a fact with a number is found by its value
// as written, among the first hits.
func TestSearchFindsEveryFigureByItsValue(t *testing.T) {
	s, ds := dbtest.Seeded(t)
	checked := 0
	for _, e := range ds.Entities {
		for _, f := range e.Facts {
			if f.Number == nil {
				continue
			}
			checked++
			hits, err := s.Search(context.Background(), store.All, f.Value, nil, 5)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(ids(hits), e.ID) {
				t.Errorf("search %q = %v, want %s (it holds %q) among them", f.Value, ids(hits), e.ID, f.Value)
			}
		}
	}
	if checked < 3 {
		t.Fatalf("only %d facts with numbers in the seed", checked)
	}
}
