package web

import (
	"encoding/json"
	"flag"
	"os"
	"strings"
	"testing"

	"cyberkg/kg"
)

var update = flag.Bool("update", false, "rewrite component/vocabulary.js from kg/")

// vocabulary is component/vocabulary.js as kg/ says it: the kinds, the
// relationship types and the confidence levels with their descriptions, in
// kg's order. The element draws and labels from it (styles are its own), so
// a level or kind added to kg/ is drawn and legended after `go test ./web
// -run TestVocabulary -update` and `make assets`, never forgotten.
func vocabulary() string {
	type item struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	}
	var kinds, types, levels []item
	for _, k := range kg.Kinds {
		kinds = append(kinds, item{string(k.Kind), k.Description})
	}
	for _, t := range kg.RelTypes {
		types = append(types, item{string(t.Type), t.Description})
	}
	for _, c := range kg.Confidences {
		levels = append(levels, item{string(c.Level), c.Description})
	}
	js := func(v any) string {
		b, _ := json.MarshalIndent(v, "", "  ")
		return string(b)
	}
	var b strings.Builder
	b.WriteString("// Code generated from kg/ by `go test ./web -run TestVocabulary -update`. DO NOT EDIT.\n")
	b.WriteString("// The vocabularies of the graph, with their descriptions, for the element's\n// drawing and legend; web/vocabulary_test.go fails when this copy differs.\n\n")
	b.WriteString("export const KIND_INFO = " + js(kinds) + ";\n\n")
	b.WriteString("export const RELATION_TYPE_INFO = " + js(types) + ";\n\n")
	b.WriteString("export const CONFIDENCE_INFO = " + js(levels) + ";\n")
	return b.String()
}

func TestVocabularyIsKgs(t *testing.T) {
	const path = "component/vocabulary.js"
	want := vocabulary()
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("%s differs from kg/'s vocabularies: run `go test ./web -run TestVocabulary -update`, then `make assets`", path)
	}
}
