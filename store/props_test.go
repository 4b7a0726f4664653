package store_test

import (
	"testing"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"cyberkg/kg"
	"cyberkg/store"
)

// EntityProperties and RelationshipProperties are what writers of other
// formats rely on: every property the props functions return must be listed
// there, with the type of its value.
func TestPropertyListsHoldEveryProperty(t *testing.T) {
	d := func(s string) kg.Date {
		v, err := kg.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	ev := []kg.Evidence{{Source: "r", Paragraph: 1, Quote: "q"}}
	e := kg.Entity{ID: "x", Kind: kg.Law, Name: "X", Aliases: []string{"a"}, Description: "d",
		Start: d("2014"), End: d("2015-02"), Title: "t", Status: "DRAFT", Article: 3, Number: 4, Text: "f.txt",
		Facts: []kg.Fact{{Name: "n", Value: "v", Evidence: ev}}, Evidence: ev}
	r := kg.Relationship{ID: "y", Type: "CAUSED", From: "x", To: "x", Start: d("2014"), End: d("2015"),
		Description: "d", Confidence: kg.Confirmed, ClaimedBy: []string{"x"}, Evidence: ev}
	check := func(what string, props map[string]any, list []store.Property) {
		types := map[string]store.PropertyType{}
		for _, p := range list {
			types[p.Name] = p.Type
		}
		for name, v := range props {
			typ, ok := types[name]
			if !ok {
				t.Errorf("%s property %q is not in the list", what, name)
				continue
			}
			var good bool
			switch v.(type) {
			case string:
				good = typ == store.String
			case []string:
				good = typ == store.StringList
			case neo4j.Date:
				good = typ == store.Date
			case int:
				good = typ == store.Int
			}
			if !good {
				t.Errorf("%s property %q: value %#v (%T) is not of the listed type %d", what, name, v, v, typ)
			}
		}
	}
	props := store.EntityProps(e)
	props[store.NameKey] = "x"
	check("entity", props, store.EntityProperties)
	check("relationship", store.RelationshipProps(r, nil), store.RelationshipProperties)
	if len(props) != len(store.EntityProperties) {
		t.Errorf("a full entity has %d properties, the list %d", len(props), len(store.EntityProperties))
	}
	if n := len(store.RelationshipProps(r, nil)); n != len(store.RelationshipProperties) {
		t.Errorf("a full relationship has %d properties, the list %d", n, len(store.RelationshipProperties))
	}
}
