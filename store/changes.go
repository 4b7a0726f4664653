package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"cyberkg/errs"
	"cyberkg/kg"
)

// The change log (kg.ChangeLog) on Neo4j: one (:Change) node per committed
// write, appended in the writer's own transaction, and the single
// (:GraphState {key: 'graph'}) node whose version is the newest Seq.
//
// A writer begins by incrementing that version (lockGraph): the increment
// takes the node's write lock, so writers run one after another, every
// later read in the transaction sees what the previous writer committed,
// and Seq order is commit order with no gaps (a transaction that fails
// rolls its increment back). The record time of the change is read after
// the lock is taken, so it grows with Seq.

// Retention says how much of the change log to keep; zero fields keep
// everything. Changes beyond it are pruned by later writes, a few at a time.
type Retention struct {
	Days    int // keep changes recorded in the last Days days
	Changes int // keep the newest Changes changes
}

// SetChangeRetention sets how much of the log the store keeps.
func (s *Store) SetChangeRetention(r Retention) { s.retention.Store(&r) }

func (s *Store) changeRetention() Retention {
	if r := s.retention.Load(); r != nil {
		return *r
	}
	return Retention{}
}

// pending is a change being written: lockGraph starts it, the writer adds
// items, appendChange records it. Its Seq and At are the transaction's.
type pending struct {
	kg.Change
	// unlisted: the change is too large to list its items (a whole
	// dataset's load); it is recorded all the same, its reason saying what
	// it held.
	unlisted bool
	versions []versionDraft // the (:Version) rows of its items (versions.go)

	// late: the change takes the graph's lock only once fn has read and
	// checked everything (changeLate); until then it has no Seq, ID or At,
	// and its writes wait in deferred. checks and refs are what its reads
	// relied on, checked again under the lock.
	late     bool
	deferred []func() error
	checks   []any    // {id, seen}: targets whose newest version was seen
	refs     []string // entities that must still be live
}

// versionDraft is a (:Version) row whose record time and change are filled
// in when the change is appended (appendChange), once its lock is taken.
type versionDraft struct {
	props  map[string]any
	legacy bool // the archive of a loaded target's state: superseded now
}

// later runs a write statement of the change now, or, for a late change,
// once the lock is taken: fn reads p's ID and At when it runs.
func (p *pending) later(fn func() error) error {
	if p.late {
		p.deferred = append(p.deferred, fn)
		return nil
	}
	return fn()
}

// watch records, for a late change, the newest version of a target that
// its checks read.
func (p *pending) watch(id string, c current) {
	if p.late {
		p.checks = append(p.checks, map[string]any{"id": id, "seen": c.seen})
	}
}

// lockGraph takes the graph's write lock and the next Seq, and reads the
// record time: the first statement of every write transaction.
func (s *Store) lockGraph(ctx context.Context, tx neo4j.ManagedTransaction, op string, actor kg.Actor, reason, origin string) (*pending, error) {
	recs, err := s.query(ctx, tx, op, `MERGE (g:GraphState {key: 'graph'})
		ON CREATE SET g.version = 0
		SET g.version = g.version + 1
		RETURN g.version AS seq, datetime.realtime() AS at`, nil)
	if err != nil {
		return nil, err
	}
	if len(recs) != 1 {
		return nil, errs.E(op, errs.Internal, fmt.Errorf("graph state: %d records", len(recs)))
	}
	seq := recs[0].Values[0].(int64)
	at := recs[0].Values[1].(time.Time)
	return &pending{Change: kg.Change{ID: changeID(seq), Seq: seq, At: at, Actor: actor, Reason: reason, Origin: origin}}, nil
}

// errStale rolls back a late change whose reads a change committed since
// made stale: it is run again, reading afresh.
var errStale = errors.New("stale reads")

// lockLate takes the graph's lock and the next Seq for a late change, and
// checks under the lock that no change committed since its reads touched
// what they read: a newer version of a target it watched, or a reference
// no longer live.
func (s *Store) lockLate(ctx context.Context, tx neo4j.ManagedTransaction, op string, p *pending) error {
	recs, err := s.query(ctx, tx, op, `MERGE (g:GraphState {key: 'graph'})
		ON CREATE SET g.version = 0
		SET g.version = g.version + 1
		WITH g, datetime.realtime() AS at
		RETURN g.version AS seq, at,
			size([c IN $checks WHERE EXISTS { MATCH (v:Version {target: c.id}) WHERE v.version > c.seen }])
			+ size([id IN $refs WHERE NOT EXISTS { MATCH (:Entity {id: id}) }]) AS stale`,
		map[string]any{"checks": p.checks, "refs": p.refs})
	if err != nil {
		return err
	}
	if len(recs) != 1 {
		return errs.E(op, errs.Internal, fmt.Errorf("graph state: %d records", len(recs)))
	}
	if num(recs[0].Values[2]) > 0 {
		return errStale
	}
	p.Seq = recs[0].Values[0].(int64)
	p.ID, p.At = changeID(p.Seq), recs[0].Values[1].(time.Time)
	return nil
}

func changeID(seq int64) string { return fmt.Sprintf("change-%d", seq) }

// add records one item of the change.
func (p *pending) add(it kg.ChangeItem) { p.Items = append(p.Items, it) }

// itemJSON is a change item as the log stores it (the brief's shape).
type itemJSON struct {
	Op       kg.ChangeOp   `json:"op"`
	Kind     kg.TargetKind `json:"kind"`
	Target   string        `json:"target"`
	Version  int           `json:"version"`
	Fields   []string      `json:"fields,omitempty"`
	Entities []string      `json:"entities,omitempty"`
	RelType  kg.RelType    `json:"relType,omitempty"`
}

// changeRow is a change as its (:Change) node's properties: its items as
// JSON, and the entities, relationship types and kinds they touch as lists,
// which the feed's and the log's filters match.
func changeRow(c kg.Change) (map[string]any, error) {
	items := make([]itemJSON, len(c.Items))
	entities, relTypes, kinds := []string{}, []string{}, []string{}
	seenE, seenT, seenK := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for i, it := range c.Items {
		items[i] = itemJSON{it.Op, it.Kind, it.Target, it.Version, it.Fields, it.Entities, it.RelType}
		for _, e := range it.Entities {
			if !seenE[e] {
				seenE[e] = true
				entities = append(entities, e)
			}
		}
		if t := string(it.RelType); t != "" && !seenT[t] {
			seenT[t] = true
			relTypes = append(relTypes, t)
		}
		if k := string(it.Kind); !seenK[k] {
			seenK[k] = true
			kinds = append(kinds, k)
		}
	}
	b, err := json.Marshal(items)
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"id": c.ID, "seq": c.Seq, "at": c.At, "actorId": c.Actor.ID, "actorName": c.Actor.Name, "actorRole": c.Actor.Role.String(),
		"reason": c.Reason, "origin": c.Origin, "items": string(b), "entities": entities, "relTypes": relTypes, "kinds": kinds,
	}, nil
}

// appendChange writes the (:Change) node of p: the last statement of a
// write transaction. It also prunes a few changes beyond the retention.
func (s *Store) appendChange(ctx context.Context, tx neo4j.ManagedTransaction, op string, p *pending) error {
	row, err := changeRow(p.Change)
	if err != nil {
		return errs.E(op, errs.Internal, err)
	}
	versions := make([]any, len(p.versions))
	for i, d := range p.versions {
		v := d.props
		if d.legacy {
			v["to"] = p.At
		} else {
			v["from"], v["changeId"] = p.At, p.ID
		}
		versions[i] = v
	}
	// The versions first, each superseding its target's current version
	// (a legacy archive comes already superseded), then the change, then
	// the pruning of the log beyond its retention: one round trip, made
	// while the writer holds the graph's lock.
	params := map[string]any{"change": row, "versions": versions}
	cypher := `UNWIND $versions AS v
		CALL (v) { MATCH (old:Version {target: v.target}) WHERE old.to IS NULL AND v.to IS NULL SET old.to = v.from }
		CREATE (x:Version) SET x = v
		WITH count(*) AS versions
		CREATE (c:Change) SET c = $change`
	if keepSeq, before, ok := s.pruneBounds(p); ok {
		cypher += `
		WITH c
		CALL () { MATCH (old:Change) WHERE old.seq <= $keepSeq OR old.at < $before
			WITH old ORDER BY old.seq LIMIT 100 DELETE old }`
		params["keepSeq"], params["before"] = keepSeq, before
	}
	_, err = s.query(ctx, tx, op, cypher, params)
	return err
}

// pruneBounds are the changes beyond the retention, which each write
// deletes up to 100 of, so that the log shrinks back to its bound: those
// with seq <= keepSeq or recorded before before (nil: no bound by time).
// ok is false when nothing is ever pruned.
func (s *Store) pruneBounds(p *pending) (keepSeq int64, before any, ok bool) {
	r := s.changeRetention()
	if r.Days <= 0 && r.Changes <= 0 {
		return 0, nil, false
	}
	if r.Changes > 0 {
		keepSeq = p.Seq - int64(r.Changes)
	}
	if r.Days > 0 {
		before = p.At.Add(-time.Duration(r.Days) * 24 * time.Hour)
	}
	return keepSeq, before, true
}

// Head is the graph's version: the newest change's Seq, 0 before any. It
// is not counted among a request's Cypher queries (QueryCount): the
// response cache reads it for every request.
func (s *Store) Head(ctx context.Context) (int64, error) {
	// One auto-commit statement (readOne), run here rather than through
	// query, which would count it and give each read a span of its own.
	var head int64
	err := s.inSession(ctx, "store.Head", neo4j.AccessModeRead, func(ctx context.Context, session neo4j.SessionWithContext, timeout time.Duration) error {
		start := time.Now()
		res, err := autoCommit{session, timeout}.Run(ctx, `OPTIONAL MATCH (g:GraphState {key: 'graph'}) RETURN coalesce(g.version, 0)`, nil)
		if err == nil {
			var rec *neo4j.Record
			if rec, err = res.Single(ctx); err == nil {
				head, _ = rec.Values[0].(int64)
			}
		}
		s.observe("store.Head", time.Since(start), err)
		return err
	})
	return head, err
}

// ChangesAfter returns at most limit changes with Seq > after that match f,
// oldest first (kg.ChangeLog).
func (s *Store) ChangesAfter(ctx context.Context, after int64, f kg.ChangeFilter, limit int) ([]kg.Change, error) {
	const op = "store.ChangesAfter"
	if limit <= 0 {
		return nil, nil
	}
	var types, kinds []string
	for _, t := range f.Types {
		types = append(types, string(t))
	}
	for _, k := range f.Kinds {
		kinds = append(kinds, string(k))
	}
	params := map[string]any{"after": after, "limit": limit, "entity": nilIfEmpty(f.Entity), "actor": nilIfEmpty(f.Actor), "types": types, "kinds": kinds}
	var out []kg.Change
	err := s.read(ctx, op, func(tx neo4j.ManagedTransaction) error {
		out = out[:0]
		// The oldest change held, to tell a cursor the log no longer reaches.
		recs, err := s.query(ctx, tx, op, `OPTIONAL MATCH (g:GraphState {key: 'graph'})
			RETURN coalesce(g.version, 0) AS head, COLLECT { MATCH (c:Change) RETURN c.seq ORDER BY c.seq LIMIT 1 } AS oldest`, nil)
		if err != nil {
			return err
		}
		if len(recs) == 1 && after > 0 {
			head, _ := recs[0].Values[0].(int64)
			var oldest int64
			first, _ := recs[0].Values[1].([]any)
			held := len(first) == 1
			if held {
				oldest = first[0].(int64)
			}
			if (held && after < oldest-1) || (!held && after < head) {
				if !held {
					oldest = head + 1
				}
				return errs.Invalidf("after: change %d is older than the change log retains; the oldest held is %d (start from %d, or from 0 for everything held)", after, oldest, oldest-1)
			}
		}
		recs, err = s.query(ctx, tx, op, `MATCH (c:Change) WHERE c.seq > $after
			AND ($entity IS NULL OR $entity IN c.entities)
			AND ($actor IS NULL OR c.actorId = $actor)
			AND (size($types) = 0 OR any(t IN c.relTypes WHERE t IN $types))
			AND (size($kinds) = 0 OR any(k IN c.kinds WHERE k IN $kinds))
			RETURN c{.*} AS c ORDER BY c.seq LIMIT $limit`, params)
		for _, rec := range recs {
			c, err := changeFrom(rec.Values[0].(map[string]any))
			if err != nil {
				return errs.E(op, errs.Internal, err)
			}
			out = append(out, c)
		}
		return err
	})
	return out, err
}

// ChangeByID returns one change of the log.
func (s *Store) ChangeByID(ctx context.Context, id string) (kg.Change, bool, error) {
	var c kg.Change
	var found bool
	err := s.read(ctx, "store.ChangeByID", func(tx neo4j.ManagedTransaction) error {
		recs, err := s.query(ctx, tx, "store.ChangeByID", `MATCH (c:Change {id: $id}) RETURN c{.*}`, map[string]any{"id": id})
		if err != nil || len(recs) == 0 {
			return err
		}
		found = true
		c, err = changeFrom(recs[0].Values[0].(map[string]any))
		return err
	})
	return c, found, err
}

// ChangesByID returns the changes of the log with the given ids, in one
// query; ids the log does not hold (or no longer retains) are absent.
func (s *Store) ChangesByID(ctx context.Context, ids []string) (map[string]kg.Change, error) {
	out := make(map[string]kg.Change, len(ids))
	err := s.read(ctx, "store.ChangesByID", func(tx neo4j.ManagedTransaction) error {
		recs, err := s.query(ctx, tx, "store.ChangesByID", `MATCH (c:Change) WHERE c.id IN $ids RETURN c{.*}`, map[string]any{"ids": ids})
		for _, rec := range recs {
			c, cerr := changeFrom(rec.Values[0].(map[string]any))
			if cerr != nil {
				return cerr
			}
			out[c.ID] = c
		}
		return err
	})
	return out, err
}

func changeFrom(p map[string]any) (kg.Change, error) {
	role, _ := kg.ParseRole(str(p["actorRole"]))
	c := kg.Change{
		ID: str(p["id"]), Seq: num(p["seq"]), Reason: str(p["reason"]), Origin: str(p["origin"]),
		Actor: kg.Actor{ID: str(p["actorId"]), Name: str(p["actorName"]), Role: role},
	}
	if t, ok := p["at"].(time.Time); ok {
		c.At = t
	}
	var items []itemJSON
	if s := str(p["items"]); s != "" {
		if err := json.Unmarshal([]byte(s), &items); err != nil {
			return c, fmt.Errorf("change %s: items: %w", c.ID, err)
		}
	}
	c.Items = make([]kg.ChangeItem, len(items))
	for i, it := range items {
		c.Items[i] = kg.ChangeItem{Op: it.Op, Kind: it.Kind, Target: it.Target, Version: it.Version, Fields: it.Fields, Entities: it.Entities, RelType: it.RelType}
	}
	return c, nil
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

var _ kg.ChangeLog = (*Store)(nil)

// change runs fn in one write transaction that begins by taking the graph's
// lock and the next Seq (lockGraph) and ends by appending the change fn
// described (appendChange): the data, its audit and its event commit
// together or not at all. fn adds its items to p. A change of no items
// (fn found nothing to do) is rolled back: the log records only changes.
func (s *Store) change(ctx context.Context, op string, actor kg.Actor, reason, origin string, fn func(tx neo4j.ManagedTransaction, p *pending) error) (kg.Change, error) {
	var out kg.Change
	release, err := s.graphLock.wait(ctx, op)
	if err != nil {
		return kg.Change{}, err
	}
	defer release()
	err = s.write(ctx, op, func(tx neo4j.ManagedTransaction) error {
		p, err := s.lockGraph(ctx, tx, op, actor, reason, origin)
		if err != nil {
			return err
		}
		if err := fn(tx, p); err != nil {
			return err
		}
		if len(p.Items) == 0 && !p.unlisted {
			return errNothingChanged
		}
		if err := s.appendChange(ctx, tx, op, p); err != nil {
			return err
		}
		if err := s.failAfterWrite(op); err != nil {
			return err
		}
		out = p.Change
		return nil
	})
	if errors.Is(err, errNothingChanged) {
		return kg.Change{}, nil
	}
	return out, err
}

// changeLate is change for a write that reads and checks before it writes
// (the curators' upserts and evidence): fn runs first, with no lock, reading
// the graph as committed and deferring its writes (pending.later); then the
// lock is taken, what fn read is checked again (lockLate), and the writes
// and the change are made. Writers hold the lock only for those last
// statements and the commit, so Seq stays gapless and in commit order and
// every check holds at commit. When a change committed in between made the
// reads stale, the write runs again; after a few tries, as change does.
func (s *Store) changeLate(ctx context.Context, op string, actor kg.Actor, reason, origin string, fn func(tx neo4j.ManagedTransaction, p *pending) error) (kg.Change, error) {
	for range lateTries {
		var out kg.Change
		var release func()
		err := s.write(ctx, op, func(tx neo4j.ManagedTransaction) error {
			p := &pending{Change: kg.Change{Actor: actor, Reason: reason, Origin: origin}, late: true}
			if err := fn(tx, p); err != nil {
				return err
			}
			if len(p.Items) == 0 {
				return errNothingChanged
			}
			if release == nil { // a retry by the driver holds it already
				r, err := s.graphLock.wait(ctx, op)
				if err != nil {
					return err
				}
				release = r
			}
			if err := s.lockLate(ctx, tx, op, p); err != nil {
				return err
			}
			for _, w := range p.deferred {
				if err := w(); err != nil {
					return err
				}
			}
			if err := s.appendChange(ctx, tx, op, p); err != nil {
				return err
			}
			if err := s.failAfterWrite(op); err != nil {
				return err
			}
			out = p.Change
			return nil
		})
		if release != nil {
			release() // after the commit (or the rollback) that s.write made
		}
		switch {
		case errors.Is(err, errStale):
			continue
		case errors.Is(err, errNothingChanged):
			return kg.Change{}, nil
		}
		return out, err
	}
	return s.change(ctx, op, actor, reason, origin, fn)
}

// graphLockQueue is where this process's writers wait for the graph's lock
// (the GraphState node's, which every change takes): one at a time, each
// holding its place until its transaction has committed or rolled back.
// The Neo4j lock stays what makes writes serial across processes; the
// queue only moves the waiting here. Seven writers waiting in Neo4j's lock
// manager spin and back off on its CPU, which the readers need: with 8
// writing clients beside 16 readers, the readers lost a third of their
// throughput to the writes, twice what the same writes cost them one at a
// time.
type graphLockQueue chan struct{}

// wait takes the place, or gives up with ctx; release gives it back.
func (q graphLockQueue) wait(ctx context.Context, op string) (release func(), err error) {
	select {
	case q <- struct{}{}:
		return func() { <-q }, nil
	case <-ctx.Done():
		return nil, classify(ctx, op, ctx.Err())
	}
}

// lateTries is how often a late change is tried before it takes the lock
// first: under contention on one target, the later writers' reads go stale.
const lateTries = 3

// errNothingChanged rolls back a change that found nothing to do.
var errNothingChanged = errs.E("store.change", errs.Invalid, errors.New("nothing changed"))

// failAfterWrite is the test hook that injects a failure after a change's
// data, audit and event are written and before it commits (FailAfterWrite).
func (s *Store) failAfterWrite(op string) error {
	if f := s.failHook.Load(); f != nil {
		return (*f)(op)
	}
	return nil
}

// FailAfterWrite makes every change fail with fn's error, when fn returns
// one, after all its statements ran and before it commits: tests prove that
// such a failure leaves nothing. It returns the function that removes it.
func (s *Store) FailAfterWrite(fn func(op string) error) (restore func()) {
	s.failHook.Store(&fn)
	return func() { s.failHook.Store(nil) }
}

type originKey struct{}

// WithOrigin marks ctx as that of a write of the given origin ("seed",
// "import"); the change log records it. Writes without one are "api".
func WithOrigin(ctx context.Context, origin string) context.Context {
	return context.WithValue(ctx, originKey{}, origin)
}

// OriginOf is the origin WithOrigin set, or "api".
func OriginOf(ctx context.Context) string {
	if o, ok := ctx.Value(originKey{}).(string); ok && o != "" {
		return o
	}
	return "api"
}
