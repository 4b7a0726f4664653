package graph_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"cyberkg/kg"
)

// The schema's enums are written by hand; they must list exactly the
// domain's vocabularies, with the same documentation, or the API and the
// validator would disagree.
func TestSchemaEnumsMatchTheDomain(t *testing.T) {
	files, _ := filepath.Glob("../schema/*.graphqls")
	var sources []*ast.Source
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, &ast.Source{Name: f, Input: string(b)})
	}
	schema, err := gqlparser.LoadSchema(sources...)
	if err != nil {
		t.Fatal(err)
	}

	var rels, relDocs, kinds, kindDocs, confs, confDocs []string
	for _, r := range kg.RelTypes {
		rels, relDocs = append(rels, string(r.Type)), append(relDocs, r.Description)
	}
	for _, k := range kg.Kinds {
		kinds, kindDocs = append(kinds, string(k.Kind)), append(kindDocs, k.Description)
	}
	for _, c := range kg.Confidences {
		confs, confDocs = append(confs, string(c.Level)), append(confDocs, c.Description)
	}
	enum := func(name string) (values, docs []string) {
		for _, v := range schema.Types[name].EnumValues {
			values, docs = append(values, v.Name), append(docs, v.Description)
		}
		return
	}
	check := func(name string, got, want []string) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: schema has %d values, kg has %d:\n%v\n%v", name, len(got), len(want), got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s[%d]: schema %q, kg %q", name, i, got[i], want[i])
			}
		}
	}
	got, docs := enum("RelationType")
	check("RelationType", got, rels)
	check("RelationType descriptions", docs, relDocs)
	got, docs = enum("EntityKind")
	check("EntityKind", got, kinds)
	check("EntityKind descriptions", docs, kindDocs)
	// Each kind's own type says what the kind does.
	for i, k := range kinds {
		name := strings.ToUpper(k[:1]) + strings.ToLower(k[1:])
		if d := schema.Types[name]; d == nil || d.Description != kindDocs[i] {
			t.Errorf("type %s: description %q, kg says %q", name, d.Description, kindDocs[i])
		}
	}
	got, docs = enum("Confidence")
	check("Confidence", got, confs)
	check("Confidence descriptions", docs, confDocs)
}

// Each kind's type repeats the Entity interface's fields; it must repeat
// their descriptions and their arguments' too, or an IDE hovering over a
// Firm's field shows nothing.
func TestEntityTypesRepeatTheInterfaceDescriptions(t *testing.T) {
	files, _ := filepath.Glob("../schema/*.graphqls")
	var sources []*ast.Source
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, &ast.Source{Name: f, Input: string(b)})
	}
	schema, err := gqlparser.LoadSchema(sources...)
	if err != nil {
		t.Fatal(err)
	}
	iface := schema.Types["Entity"]
	for _, typ := range schema.PossibleTypes["Entity"] {
		for _, f := range iface.Fields {
			got := typ.Fields.ForName(f.Name)
			if got == nil || got.Description != f.Description {
				t.Errorf("%s.%s: description differs from Entity.%s", typ.Name, f.Name, f.Name)
				continue
			}
			for _, a := range f.Arguments {
				if ga := got.Arguments.ForName(a.Name); ga == nil || ga.Description != a.Description {
					t.Errorf("%s.%s(%s): description differs from the interface's", typ.Name, f.Name, a.Name)
				}
			}
		}
	}
}
