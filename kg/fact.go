package kg

import (
	"encoding/json"
	"strings"
)

// A fact has no id of its own: it is named by the entity or relationship
// that holds it and its name, "<owner id>#<fact name>" (FactID), so that
// evidence can be added to it. No entity, relationship or change id has a
// "#" (Dataset.Validate and the write service refuse one), so the form
// cannot collide with theirs.

// FactID is the id of the fact named name of the entity or relationship owner.
func FactID(owner, name string) string { return owner + "#" + name }

// ParseFactID splits a fact's id into its owner's id and the fact's name;
// ok is false for an id of another form.
func ParseFactID(id string) (owner, name string, ok bool) {
	owner, name, ok = strings.Cut(id, "#")
	if !ok || owner == "" || name == "" || strings.Contains(name, "#") {
		return "", "", false
	}
	return owner, name, true
}

// Contested reports whether the fact's evidence both supports and disputes it.
func (f *Fact) Contested() bool { return contested(f.Evidence) }

// Stated is the first piece of evidence that supports the fact (what it was
// stated with), or else its first piece.
func (f *Fact) Stated() Evidence {
	for _, e := range f.Evidence {
		if e.Stance != Disputes {
			return e
		}
	}
	if len(f.Evidence) > 0 {
		return f.Evidence[0]
	}
	return Evidence{}
}

// UnmarshalJSON reads a fact as encoding/json writes it, and also in the
// shape written before a fact could hold several pieces of evidence (one
// Evidence object, not a list): versions recorded then must still read.
func (f *Fact) UnmarshalJSON(b []byte) error {
	type plain Fact // without this method
	var v struct {
		plain
		Evidence json.RawMessage
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*f = Fact(v.plain)
	f.Evidence = nil
	raw := strings.TrimSpace(string(v.Evidence))
	switch {
	case raw == "" || raw == "null":
		return nil
	case strings.HasPrefix(raw, "{"):
		var one Evidence
		if err := json.Unmarshal(v.Evidence, &one); err != nil {
			return err
		}
		f.Evidence = []Evidence{one}
		return nil
	}
	return json.Unmarshal(v.Evidence, &f.Evidence)
}
