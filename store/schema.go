package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"cyberkg/kg"
)

// SearchIndex is the full-text index over names, aliases and descriptions.
// Its analyzer folds case and accents, so "Sao" finds "São".
const SearchIndex = "entity_search"

var schemaStatements = []string{
	`CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE`,
	// The change log (changes.go): the graph's version and its changes.
	`CREATE CONSTRAINT graph_state_key IF NOT EXISTS FOR (g:GraphState) REQUIRE g.key IS UNIQUE`,
	`CREATE CONSTRAINT change_id IF NOT EXISTS FOR (c:Change) REQUIRE c.id IS UNIQUE`,
	`CREATE CONSTRAINT change_seq IF NOT EXISTS FOR (c:Change) REQUIRE c.seq IS UNIQUE`,
	// Versions (versions.go) and sources (sources.go).
	`CREATE CONSTRAINT version_key IF NOT EXISTS FOR (v:Version) REQUIRE v.key IS UNIQUE`,
	`CREATE INDEX version_target IF NOT EXISTS FOR (v:Version) ON (v.target)`,
	// Record-time reads (recorded.go): a version's relationship by either
	// end, and a version's entity by what search reads.
	`CREATE INDEX version_from_end IF NOT EXISTS FOR (v:Version) ON (v.fromEnd)`,
	`CREATE INDEX version_to_end IF NOT EXISTS FOR (v:Version) ON (v.toEnd)`,
	`CREATE FULLTEXT INDEX ` + VersionSearchIndex + ` IF NOT EXISTS FOR (v:Version) ON EACH [v.name, v.aliasText, v.description, v.entityKind]
	 OPTIONS {indexConfig: {` + "`fulltext.analyzer`" + `: 'standard-folding', ` + "`fulltext.eventually_consistent`" + `: false}}`,
	`CREATE CONSTRAINT source_id IF NOT EXISTS FOR (s:Source) REQUIRE s.id IS UNIQUE`,
	`CREATE INDEX entity_kind IF NOT EXISTS FOR (n:Entity) ON (n.kind)`,
	`CREATE INDEX entity_start IF NOT EXISTS FOR (n:Entity) ON (n.startFirst)`,
	`CREATE INDEX entity_name IF NOT EXISTS FOR (n:Entity) ON (n.name)`,
	// nameKey is toLower(name), which pages sort by: these indexes give
	// that order, so a page of a kind reads its page, not every entity.
	`CREATE INDEX entity_name_key IF NOT EXISTS FOR (n:Entity) ON (n.nameKey)`,
	`CREATE INDEX entity_kind_name_key IF NOT EXISTS FOR (n:Entity) ON (n.kind, n.nameKey)`,
	`CREATE FULLTEXT INDEX ` + SearchIndex + ` IF NOT EXISTS FOR (n:Entity) ON EACH [` + searchIndexFields + `]
	 OPTIONS {indexConfig: {` + "`fulltext.analyzer`" + `: 'standard-folding', ` + "`fulltext.eventually_consistent`" + `: false}}`,
}

// searchIndexFields are what SearchIndex indexes: the kind too, so that a
// search of some kinds is filtered inside Lucene (see SearchCandidates).
const searchIndexFields = `n.name, n.aliasText, n.description, n.kind`

// relationshipIDConstraints make relationship ids unique within each type
// (Neo4j constrains relationship properties per type); their indexes also
// serve the loader's MERGE. Types come from the closed vocabulary.
func relationshipIDConstraints() []string {
	var out []string
	for _, t := range kg.RelTypes {
		out = append(out, fmt.Sprintf("CREATE CONSTRAINT relationship_id_%s IF NOT EXISTS FOR ()-[r:%s]-() REQUIRE r.id IS UNIQUE",
			strings.ToLower(string(t.Type)), t.Type))
	}
	return out
}

// ApplySchema creates the constraints and indexes the queries rely on. It is
// idempotent, so it runs at every start, and waits until the indexes are online.
func (s *Store) ApplySchema(ctx context.Context) error {
	session := s.driver.NewSession(ctx, neo4j.SessionConfig{AccessMode: neo4j.AccessModeWrite, DatabaseName: s.db})
	defer session.Close(ctx)
	if err := s.dropStaleSearchIndex(ctx, session); err != nil {
		return err
	}
	stmts := append(append(schemaStatements, relationshipIDConstraints()...), migrations...)
	stmts = append(stmts, `CALL db.awaitIndexes(300)`)

	// Schema statements cannot share a transaction with each other or with
	// data writes, so each runs as its own auto-commit statement.
	for _, stmt := range stmts {
		res, err := session.Run(ctx, stmt, nil)
		if err == nil {
			_, err = res.Consume(ctx)
		}
		if err != nil {
			return classify(ctx, "store.ApplySchema", fmt.Errorf("%s: %w", firstLine(stmt), err))
		}
	}
	return s.migrateVersionSearch(ctx)
}

// migrations bring a graph written by an older version up to date; each
// finds nothing to do on a current graph.
var migrations = []string{
	`MATCH (v:Version) WHERE v.kind = 'RELATIONSHIP' AND v.fromEnd IS NULL AND size(v.ends) = 2
	 CALL (v) { SET v.fromEnd = v.ends[0], v.toEnd = v.ends[1] } IN TRANSACTIONS OF 10000 ROWS`,
	`MATCH (n:Entity) WHERE n.nameKey IS NULL CALL (n) { SET n.nameKey = toLower(n.name) } IN TRANSACTIONS OF 10000 ROWS`,
	// The stances of relationships written before they were stored, counted
	// in the evidence's JSON (props.go's evidenceJSON: every item has a
	// quote; a disputing one says so, a supporting one says nothing).
	`MATCH (:Entity)-[r]->(:Entity) WHERE r.stances IS NULL AND r.evidence IS NOT NULL
	 CALL (r) {
	   WITH r, size(split(r.evidence, '"quote":')) - 1 AS items, size(split(r.evidence, '"stance":"DISPUTES"')) - 1 AS disputes
	   SET r.stances = CASE WHEN items > disputes THEN ['SUPPORTS'] ELSE [] END + CASE WHEN disputes > 0 THEN ['DISPUTES'] ELSE [] END
	 } IN TRANSACTIONS OF 10000 ROWS`,
}

// dropStaleSearchIndex drops SearchIndex when an older version made it over
// other properties (before the kind was indexed), so that ApplySchema makes
// it anew. Searches fail until the new index is online; ApplySchema waits.
func (s *Store) dropStaleSearchIndex(ctx context.Context, session neo4j.SessionWithContext) error {
	res, err := session.Run(ctx, `SHOW FULLTEXT INDEXES YIELD name, properties WHERE name = $name RETURN properties`, map[string]any{"name": SearchIndex})
	if err != nil {
		return classify(ctx, "store.ApplySchema", err)
	}
	recs, err := res.Collect(ctx)
	if err != nil || len(recs) == 0 {
		return classify(ctx, "store.ApplySchema", err)
	}
	var have []string
	for _, p := range recs[0].Values[0].([]any) {
		have = append(have, "n."+p.(string))
	}
	if strings.Join(have, ", ") == searchIndexFields {
		return nil
	}
	res, err = session.Run(ctx, `DROP INDEX `+SearchIndex, nil)
	if err == nil {
		_, err = res.Consume(ctx)
	}
	return classify(ctx, "store.ApplySchema", err)
}

func firstLine(s string) string {
	for i, c := range s {
		if c == '\n' {
			return s[:i]
		}
	}
	return s
}
