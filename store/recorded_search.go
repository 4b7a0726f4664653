package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"cyberkg/errs"
	"cyberkg/kg"
)

// VersionSearchIndex is the full-text index over the versions of entities,
// with SearchIndex's fields and analyzer, so that a search at a past record
// time finds a name or alias the entity has since lost.
const VersionSearchIndex = "version_search"

// searchable gives a version what record-time reads find it by: a
// relationship's ends, an entity's searched fields and facts (as the live
// node holds them, for the figures search looks for).
func searchable(v map[string]any, item kg.ChangeItem, st versionState) {
	if item.Kind == kg.TargetRelationship && len(item.Entities) == 2 {
		v["fromEnd"], v["toEnd"] = item.Entities[0], item.Entities[1]
	}
	if st.Entity != nil {
		for k, x := range searchProps(*st.Entity) {
			v[k] = x
		}
	}
}

func searchProps(e kg.Entity) map[string]any {
	return map[string]any{"name": e.Name, "aliasText": strings.Join(e.Aliases, " | "), "description": e.Description,
		"entityKind": string(e.Kind), "facts": factsJSON(e.Facts)}
}

// migrateVersionSearch gives the versions an older version of the server
// wrote what searchable gives new ones; on a current graph it finds none.
func (s *Store) migrateVersionSearch(ctx context.Context) error {
	for {
		var rows []any
		err := s.write(ctx, "store.ApplySchema", func(tx neo4j.ManagedTransaction) error {
			rows = rows[:0]
			recs, err := s.query(ctx, tx, "store.ApplySchema", `MATCH (v:Version) WHERE v.kind = 'ENTITY' AND v.entityKind IS NULL
				RETURN v.key, v.state LIMIT 1000`, nil)
			if err != nil {
				return err
			}
			for _, rec := range recs {
				props := map[string]any{"entityKind": ""} // a state that does not decode is not searched
				if e, ok := entityState(str(rec.Values[1])); ok {
					props = searchProps(e)
				}
				rows = append(rows, map[string]any{"key": rec.Values[0], "props": props})
			}
			if len(rows) == 0 {
				return nil
			}
			_, err = s.query(ctx, tx, "store.ApplySchema", `UNWIND $rows AS row MATCH (v:Version {key: row.key}) SET v += row.props`, map[string]any{"rows": rows})
			return err
		})
		if err != nil || len(rows) == 0 {
			return err
		}
	}
}

// SearchAt is Search over the graph as it held it at record time t. The
// entities whose live state held then are found and scored by SearchIndex,
// as Search finds them (so a search at now answers as Search does); those
// that held another state then, by VersionSearchIndex over their superseded
// versions, whose scores come from that index's statistics. Both are ranked
// together as Search ranks.
func (s *Store) SearchAt(ctx context.Context, p Projection, text string, kinds []kg.Kind, first int, t time.Time) ([]Hit, error) {
	_, params, err := SearchCandidates(p, text, kinds, first)
	if err != nil {
		return nil, err
	}
	params["t"], params["versionIndex"] = t.UTC(), VersionSearchIndex
	params["versionQuery"] = strings.Replace(params["query"].(string), "+kind:(", "+entityKind:(", 1)
	figures := len(params["needles"].([]string)) > 0
	live := searchCandidatesCypher(p, figures, heldLive("node"))
	versions := `CALL () {
			CALL db.index.fulltext.queryNodes($versionIndex, $versionQuery) YIELD node AS v, score
			WHERE ` + heldSuperseded + `
			RETURN v, score`
	if figures {
		versions += `
			UNION
			MATCH (v:Version {kind: 'ENTITY'}) WHERE ` + heldSuperseded + ` AND any(x IN $needles WHERE v.facts CONTAINS x)
			RETURN v, 0.0 AS score`
	}
	versions += `
		}
		WITH v, max(score) AS score
		WHERE $kinds IS NULL OR v.entityKind IN $kinds
		WITH v, score, any(x IN $needles WHERE v.facts CONTAINS x) AS fact
		ORDER BY fact DESC, score DESC LIMIT $candidates
		RETURN v.state AS state, score, fact`
	var candidates []candidate
	err = s.read(ctx, "store.SearchAt", func(tx neo4j.ManagedTransaction) error {
		candidates = candidates[:0]
		recs, err := s.query(ctx, tx, "store.SearchAt", live, params)
		if err != nil {
			return err
		}
		for _, rec := range recs {
			c := rec.Values[0].(map[string]any)
			n, _ := c["entity"].(map[string]any)
			score, _ := c["score"].(float64)
			fact, _ := c["fact"].(bool)
			candidates = append(candidates, candidate{entityFrom(n), score, fact})
		}
		recs, err = s.query(ctx, tx, "store.SearchAt", versions, params)
		for _, rec := range recs {
			e, ok := entityState(str(rec.Values[0]))
			if !ok {
				return errs.E("store.SearchAt", errs.Internal, fmt.Errorf("a version's state does not decode"))
			}
			score, _ := rec.Values[1].(float64)
			fact, _ := rec.Values[2].(bool)
			candidates = append(candidates, candidate{e, score, fact})
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return rankCandidates(text, candidates, first), nil
}
