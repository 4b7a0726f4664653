package graph

import (
	"cyberkg/graph/generated"
	"cyberkg/graph/model"
	"cyberkg/kg"
)

// relationshipsPerEntity is the fan-out the complexity estimate assumes for
// an entity's relationships.
const relationshipsPerEntity = 10

// Complexity estimates a query's cost before it runs, so that gqlgen's
// complexity limit can refuse one that would fan out too far: a list costs
// its children times the most items it can return.
func Complexity() generated.ComplexityRoot {
	var c generated.ComplexityRoot
	size := func(v *int, def int) int {
		if v != nil {
			return max(*v, 1)
		}
		return def
	}
	q := &c.Query
	q.Search = func(child int, _ string, _ []kg.Kind, first *int) int { return child * size(first, 10) }
	q.Entities = func(child int, _ []kg.Kind, _ *model.EntityFilter, _ *model.EntityOrder, first *int, _ *string) int {
		return child * size(first, 20)
	}
	q.Relationships = func(child int, _ []kg.RelType, first *int, _ *string) int { return child * size(first, 20) }
	q.Timeline = func(child int, _, _ *kg.Date, _ []kg.Kind, _ []string, first *int, _ *string) int {
		return child * size(first, 50)
	}
	q.Neighborhood = func(child int, _ string, _ *int, _ []kg.RelType, _ *model.Direction, _ *kg.Date, limit *int) int {
		return child * size(limit, 200)
	}
	q.Chain = func(child int, _ string, _ *model.ChainDirection, _ *int, _ *kg.Date, _ []kg.Confidence, limit *int) int {
		return child * size(limit, 200)
	}
	q.Paths = func(child int, _, _ string, maxHops *int, _ []kg.RelType, _ *model.Direction, _ *model.PathMode, limit *int, _ *kg.Date) int {
		return child * size(limit, 5) * size(maxHops, 4)
	}

	// Most entities have far fewer relationships than first allows; the
	// estimate uses the typical fan-out unless first is smaller.
	rels := func(child int, _ []kg.RelType, _ *model.Direction, _ *kg.Date, first *int) int {
		return child * min(size(first, relationshipsPerEntity), relationshipsPerEntity)
	}
	c.State.Relationships = rels
	c.Agency.Relationships = rels
	c.Organization.Relationships = rels
	c.Firm.Relationships = rels
	c.Person.Relationships = rels
	c.Product.Relationships = rels
	c.Law.Relationships = rels
	c.Agreement.Relationships = rels
	c.Event.Relationships = rels
	c.Report.Relationships = rels
	c.Recommendation.Relationships = rels
	return c
}
