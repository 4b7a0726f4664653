package graph

import (
	"context"

	"errors"
	lru "github.com/hashicorp/golang-lru/v2"
	"strconv"
	"time"

	"cyberkg/errs"
	"cyberkg/graph/model"
	"cyberkg/kg"
)

// ChangeFeed is what the changes subscription follows: the change log, live
// (server/feed.go).
type ChangeFeed interface {
	// Subscribe sends the changes after after (when not nil) that match f,
	// then live ones, until ctx ends.
	Subscribe(ctx context.Context, after *int64, f kg.ChangeFilter) (<-chan kg.Change, error)
}

// A change's cursor is its Seq, in decimal: "0" is before the first change.
func changeCursor(seq int64) string { return strconv.FormatInt(seq, 10) }

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

func changeFilter(entity *string, types []kg.RelType, kinds []model.ChangeTargetKind, actor *string) kg.ChangeFilter {
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

// sharedChangeModel is changeModel, converted once per change.
func sharedChangeModel(c kg.Change) *model.Change {
	if m, ok := shown.Get(c.Seq); ok && m.ID == c.ID {
		return m
	}
	m := changeModel(c)
	shown.Add(c.Seq, m)
	return m
}

// changeModel is a change as the API shows it.
func changeModel(c kg.Change) *model.Change {
	m := &model.Change{
		ID: c.ID, Cursor: changeCursor(c.Seq), Seq: int(c.Seq), At: c.At.UTC().Format(time.RFC3339Nano),
		Actor:  &model.ChangeActor{Name: c.Actor.Name, Role: c.Actor.Role.String()},
		Reason: c.Reason, Origin: c.Origin, Items: make([]model.ChangeItem, len(c.Items)),
	}
	if c.Actor.ID != "" {
		id := c.Actor.ID
		m.Actor.ID = &id
	}
	for i, it := range c.Items {
		m.Items[i] = model.ChangeItem{Op: model.ChangeOp(it.Op), Kind: model.ChangeTargetKind(it.Kind), Target: it.Target,
			Version: it.Version, Fields: nonNil(it.Fields), Entities: nonNil(it.Entities)}
		if it.RelType != "" {
			t := it.RelType
			m.Items[i].RelType = &t
		}
	}
	return m
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

var errNoFeed = errors.New("this server has no change feed")
