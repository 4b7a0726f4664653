package store

import (
	"strings"

	"cyberkg/kg"
)

// A row is an entity or a relationship returned as a list of its
// properties in an order both sides know, instead of a map: Neo4j writes,
// and the driver reads and allocates, every key of a map again for every
// entity and relationship, and a nested page holds a thousand of each.
// With rows, O2's nested page (its statement through the driver alone)
// took 0.4 ms less of Neo4j's CPU and 0.2 ms less decoding per request
// (BENCHMARKS.md, issue 23). Every slot is always there, null where the
// projection leaves a property out, so that reading a row needs no
// projection and no lookup. The slots are the always-there ones, then
// EntityFields or RelationshipFields in their order (rows_test.go).
var (
	entityRowFields = [...]string{"id", "kind",
		"version", "name", "aliases", "description", "start", "end", "title", "status", "article", "number", "text", "facts", "evidence"}
	relRowFields = [...]string{"id", "type",
		"version", "description", "confidence", "claimedBy", "start", "end", "facts", "evidence"}
)

// alwaysInRow is how many slots lead every row whatever the projection:
// the id, and the kind or type, without which an entity has no GraphQL type
// and a relationship no meaning.
const alwaysInRow = 2

// entityRow is the Cypher list of entity v that entityFromRow reads: its
// id and kind, and p's properties.
func entityRow(p Projection, v string) string {
	return row(entityRowFields[:], p.limited, p.entity, func(f string) string { return v + "." + f })
}

// relRowFrom is the Cypher list of relationship r met from entity n that
// relationshipBetweenRow reads: its id, type and p's properties,
// and last whether n is its start node, instead of both ends' ids, which
// Neo4j would read again from the nodes' properties for every relationship
// (n's id is the caller's and m's is in m's own row; on O2's nested page
// those two reads were a third of the properties read).
func relRowFrom(p Projection, n string) string {
	return relColumns(p) + ", startNode(r) = " + n + "]"
}

// relRow is the Cypher list of relationship r that
// relationshipFromRowWithEnds reads: relRowFrom's, but ending in the ids of
// its start and end, for a relationship met with neither end at hand (a
// neighbourhood's, a path's).
func relRow(p Projection) string {
	return relColumns(p) + ", startNode(r).id, endNode(r).id]"
}

// relColumns is the start of a relationship row, open for the ends.
func relColumns(p Projection) string {
	cols := row(relRowFields[:], p.limited, p.relationship, func(f string) string {
		if f == "type" {
			return "type(r)"
		}
		return "r." + f
	})
	return cols[:len(cols)-1]
}

// row is the Cypher list of fields, each spelled by prop; the first
// alwaysInRow are there, the others when wanted (every one unless limited).
func row(fields []string, limited bool, wanted map[string]bool, prop func(string) string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, f := range fields {
		if i > 0 {
			b.WriteString(", ")
		}
		if i < alwaysInRow || !limited || wanted[f] {
			b.WriteString(prop(f))
		} else {
			b.WriteString("null")
		}
	}
	b.WriteByte(']')
	return b.String()
}

// entityFromRow reads an entity in entityRowFields' order.
func entityFromRow(r []any) kg.Entity {
	return kg.Entity{
		ID:          str(r[0]),
		Kind:        kg.Kind(str(r[1])),
		Version:     version(r[2]),
		Name:        str(r[3]),
		Aliases:     strs(r[4]),
		Description: str(r[5]),
		Start:       date(r[6]),
		End:         date(r[7]),
		Title:       str(r[8]),
		Status:      kg.LawStatus(str(r[9])),
		Article:     int(num(r[10])),
		Number:      int(num(r[11])),
		Text:        str(r[12]),
		Facts:       factsFrom(r[13]),
		Evidence:    evidenceFrom(r[14]),
	}
}

// relationshipFromRow reads a relationship in relRowFields' order, without
// its ends.
func relationshipFromRow(r []any) kg.Relationship {
	return kg.Relationship{
		ID:          str(r[0]),
		Type:        kg.RelType(str(r[1])),
		Version:     version(r[2]),
		Description: str(r[3]),
		Confidence:  kg.Confidence(str(r[4])),
		ClaimedBy:   strs(r[5]),
		Start:       date(r[6]),
		End:         date(r[7]),
		Facts:       factsFrom(r[8]),
		Evidence:    evidenceFrom(r[9]),
	}
}

// relationshipBetweenRow is relationship r as relRowFrom writes it, met
// from the entity with id from and leading to m.
func relationshipBetweenRow(r []any, from string, m kg.Entity) kg.Relationship {
	rel := relationshipFromRow(r)
	rel.From, rel.To = from, m.ID
	if out, _ := r[len(relRowFields)].(bool); !out {
		rel.From, rel.To = m.ID, from
	}
	return rel
}

// relationshipFromRowWithEnds reads a relationship as relRow writes it.
func relationshipFromRowWithEnds(r []any) kg.Relationship {
	rel := relationshipFromRow(r)
	rel.From, rel.To = str(r[len(relRowFields)]), str(r[len(relRowFields)+1])
	return rel
}
