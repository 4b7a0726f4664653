package graph

import (
	"context"
	"errors"
	"strconv"

	lru "github.com/hashicorp/golang-lru/v2"

	"cyberkg/errs"
	"cyberkg/graph/model"
	"cyberkg/kg"
)

// ChangeFeed is what the changes subscription follows: the change log, live
// (server/feed.go).
type ChangeFeed interface {
	// Subscribe sends the changes after after (when not nil) that match f,
	// then live ones, until ctx ends, each as show makes it: the channel is
	// the one gqlgen reads, so that a delivery wakes no goroutine of ours
	// beyond the feed's own, one per subscription.
	Subscribe(ctx context.Context, after *int64, f kg.ChangeFilter, show func(kg.Change) *model.Change) (<-chan *model.Change, error)
}

var errNoFeed = errors.New("this server has no change feed")

// parseChangeCursor reads a change's cursor (its Seq in decimal, as
// changeOf writes it; "0" is before the first change).
func parseChangeCursor(field string, c *string) (*int64, error) {
	if c == nil {
		return nil, nil
	}
	n, err := strconv.ParseInt(*c, 10, 64)
	if err != nil || n < 0 {
		return nil, errs.Invalidf("%s: %q is not a change cursor (a change's cursor field, or \"0\" for the start of the log)", field, *c)
	}
	return &n, nil
}

func changeFilter(entity *string, types []kg.RelType, kinds []model.TargetKind, actor *string) kg.ChangeFilter {
	f := kg.ChangeFilter{Types: types}
	if entity != nil {
		f.Entity = *entity
	}
	if actor != nil {
		f.Actor = *actor
	}
	for _, k := range kinds {
		f.Kinds = append(f.Kinds, kg.TargetKind(k))
	}
	return f
}

// shown holds the recent changes as the API shows them, by Seq: every
// subscriber of the feed is sent the same change, and converting it (a
// seed reload has hundreds of items) once rather than once per subscriber
// keeps the feed's cost per change flat in memory. gqlgen only reads them.
var shown, _ = lru.New[int64, *model.Change](256)

// sharedChangeOf is changeOf, converted once per change.
func sharedChangeOf(c kg.Change) *model.Change {
	if m, ok := shown.Get(c.Seq); ok && m.ID == c.ID {
		return m
	}
	m := changeOf(c)
	shown.Add(c.Seq, m)
	return m
}
