package kg

import "strings"

// A source has two ids. Its slug is what it was added under, what evidence
// names and what its REPORT entity is called. Its Node id, what node(id:)
// finds it by, is the slug behind SourceNodePrefix: a colon no slug holds,
// so no entity can take a source's Node id, and kg's validation and the
// write service refuse a relationship id that has that form. Arguments that
// name a source take either id (SourceSlug).

// SourceNodePrefix begins every source's Node id.
const SourceNodePrefix = "source:"

// SourceNodeID is the Node id of the source with this slug.
func SourceNodeID(slug string) string { return SourceNodePrefix + slug }

// IsSourceNodeID reports whether id has the form of a source's Node id.
func IsSourceNodeID(id string) bool {
	slug, ok := strings.CutPrefix(id, SourceNodePrefix)
	return ok && ValidID(slug)
}

// SourceSlug is the slug a source id names, given either as the slug or as
// the source's Node id.
func SourceSlug(id string) string {
	if IsSourceNodeID(id) {
		return id[len(SourceNodePrefix):]
	}
	return id
}

// ReservedID says why an entity or relationship may not have id, or ""
// when it may: ids are unique across kinds, so that node(id:) can tell a
// change or a source from the rest by its id alone, and addEvidence a fact
// (owner#name, FactID) from its owner.
func ReservedID(id string) string {
	switch {
	case strings.Contains(id, "#"):
		return "has a #, which separates a fact's id from its owner's (<owner>#<fact name>)"
	case IsChangeID(id):
		return "has the form of a change's id (change-<number>)"
	case IsSourceNodeID(id):
		return "has the form of a source's id (source:<slug>)"
	}
	return ""
}
