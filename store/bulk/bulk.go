// Package bulk writes a dataset as CSV files for Neo4j's offline importer
// (neo4j-admin database import full), the one way to load millions of
// relationships quickly: transactional Cypher writes at most ~17,000 a
// second here. The files hold exactly the properties store.Load writes, with
// the importer's typed headers, so that an imported graph equals a loaded
// one; the store's property functions are the one source of both.
//
// Write streams: a few chunks of rows are in memory at a time, beside the
// dataset itself.
package bulk

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"cyberkg/errs"
	"cyberkg/kg"
	"cyberkg/store"
)

const (
	// ArgsFile names, one a line, the importer's input options for the files
	// written: nodes, relationships, id type, array delimiter, multiline
	// fields. LocalNeo4j import reads it; so can neo4j-admin (see README).
	ArgsFile = "import.args"
	// SumsFile holds the SHA-256 of every other file, as sha256sum writes
	// them. The importer does not check ids it takes as node ids
	// (--id-type=ACTUAL): a file changed after Write could make two entities
	// one, or a relationship to nothing. LocalNeo4j import refuses a folder
	// whose files do not match their sums.
	SumsFile = "import.sha256"
	// EntitiesFile holds the entities, label Entity.
	EntitiesFile = "entities.csv"

	// arrayDelimiter separates list elements in a field: the ASCII unit
	// separator, which no text of ours holds (Write refuses one that does).
	arrayDelimiter     = '\x1f'
	arrayDelimiterFlag = "U+001F"
)

// RelationshipsFile names the file of relationships of type t.
func RelationshipsFile(t kg.RelType) string { return "relationships-" + string(t) + ".csv" }

// Write validates ds as store.Load does and writes it into dir, which must
// not exist or be empty, as the importer's CSV files and ArgsFile. On any
// error it removes what it wrote: nothing half-written is left to import.
func Write(dir string, ds *kg.Dataset) (err error) {
	const op = "bulk.Write"
	if probs := ds.Validate(); len(probs) > 0 {
		return errs.E(op, errs.Invalid, fmt.Errorf("%d problems, first: %w", len(probs), probs[0]))
	}
	created, err := emptyDir(dir)
	if err != nil {
		return errs.E(op, errs.Invalid, err)
	}
	w := &writer{dir: dir, byName: map[string]*csvFile{}}
	defer func() {
		if cerr := w.close(); err == nil {
			err = cerr
		}
		if err != nil {
			w.removeAll()
			if created {
				os.Remove(dir)
			}
			err = errs.E(op, errs.KindOf(err), err) // Invalid data, or an Internal I/O failure
		}
	}()
	return w.write(ds)
}

// emptyDir makes dir if it does not exist (created) and fails if it holds
// anything: files already there would be imported with ours.
func emptyDir(dir string) (created bool, err error) {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		created = true
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return false, err
	}
	f, err := os.Open(dir)
	if err != nil {
		return created, err
	}
	defer f.Close()
	if _, err := f.Readdirnames(1); !errors.Is(err, io.EOF) {
		if err == nil {
			return false, fmt.Errorf("%s is not empty", dir)
		}
		return created, err
	}
	return created, nil
}

type writer struct {
	dir      string
	entities *csvFile
	byName   map[string]*csvFile
	files    []*csvFile // every file created, to close, and to remove on failure
}

func (w *writer) write(ds *kg.Dataset) error {
	var err error
	if w.entities, err = w.create(EntitiesFile, header(store.EntityProperties, ":ID", ":LABEL")); err != nil {
		return err
	}
	// The importer's ids are the entities' places in ds (--id-type=ACTUAL):
	// it then writes them as node ids without a map from string ids, which
	// took 40% of its time at 1M. Relationships name their ends by place
	// too; the entity's own id is a property like the others.
	place := make(map[string]string, len(ds.Entities))
	for i, e := range ds.Entities {
		place[e.ID] = strconv.Itoa(i)
	}
	err = inOrder(len(ds.Entities), func(lo, hi int, out *rows) error {
		for _, e := range ds.Entities[lo:hi] {
			p := store.EntityProps(e)
			if key, ok := nameKey(e.Name); ok {
				p[store.NameKey] = key
			}
			if err := out.row(EntitiesFile, p, store.EntityProperties, "entity "+e.ID, place[e.ID], "Entity"); err != nil {
				return err
			}
		}
		return nil
	}, w.append)
	if err != nil {
		return err
	}
	starts := store.EntityStarts(ds)
	err = inOrder(len(ds.Relationships), func(lo, hi int, out *rows) error {
		for _, r := range ds.Relationships[lo:hi] {
			p := store.RelationshipProps(r, starts)
			if err := out.row(RelationshipsFile(r.Type), p, store.RelationshipProperties, "relationship "+r.ID, place[r.From], place[r.To], string(r.Type)); err != nil {
				return err
			}
		}
		return nil
	}, w.append)
	if err != nil {
		return err
	}
	if err := w.writeArgs(); err != nil {
		return err
	}
	return w.writeSums()
}

// append writes a chunk's rows to their files, making the relationship
// files as their types first come.
func (w *writer) append(out *rows) error {
	for _, name := range out.files {
		f := w.byName[name]
		if f == nil {
			var err error
			if f, err = w.create(name, header(store.RelationshipProperties, ":START_ID", ":END_ID", ":TYPE")); err != nil {
				return err
			}
		}
		f.multiline = f.multiline || out.multiline[name]
		if _, err := f.w.Write(out.buf[name].Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// chunkSize is how many items are encoded together: enough that handing
// chunks over costs nothing to speak of, few enough that the chunks in
// flight hold little.
var chunkSize = 5000 // a variable for tests

// inOrder encodes items [0, n) in chunks, as many at once as there are
// processors, and hands each chunk's rows to write in order: the files are
// those one goroutine would write. Writing the CSV of the 1M graph took a
// minute in one goroutine, encoding the rows most of it. It stops at the
// first error.
func inOrder(n int, encode func(lo, hi int, out *rows) error, write func(out *rows) error) error {
	var chunks []*rows
	for lo := 0; lo < n; lo += chunkSize {
		chunks = append(chunks, &rows{lo: lo, hi: min(lo+chunkSize, n), done: make(chan struct{})})
	}
	// A slot for every chunk encoded or being encoded and not yet written.
	slots := make(chan struct{}, runtime.GOMAXPROCS(0)+1)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for _, c := range chunks {
			select {
			case slots <- struct{}{}:
			case <-stop:
				return
			}
			go func() {
				defer close(c.done)
				c.err = encode(c.lo, c.hi, c)
			}()
		}
	}()
	for _, c := range chunks {
		<-c.done
		err := c.err
		if err == nil {
			err = write(c)
		}
		<-slots
		if err != nil {
			return err
		}
	}
	return nil
}

// rows is a chunk of items [lo, hi) encoded as rows, by file.
type rows struct {
	lo, hi    int
	files     []string // in the order first written to
	buf       map[string]*bytes.Buffer
	multiline map[string]bool // a field holds a line break
	err       error
	done      chan struct{}
}

// writeSums writes SumsFile, once every other file is complete.
func (w *writer) writeSums() error {
	var b strings.Builder
	for _, f := range w.files {
		if err := f.close(); err != nil {
			return err
		}
		fmt.Fprintf(&b, "%x  %s\n", f.sum.Sum(nil), f.name)
	}
	f, err := w.create(SumsFile, strings.TrimSuffix(b.String(), "\n"))
	if err != nil {
		return err
	}
	return f.close()
}

// writeArgs names the files for the importer, and those whose fields span
// lines: the importer parses only those (slowly) as such.
func (w *writer) writeArgs() error {
	args := []string{"--nodes=" + EntitiesFile}
	var multiline []string
	for _, f := range w.files {
		if f != w.entities {
			args = append(args, "--relationships="+f.name)
		}
		if f.multiline {
			multiline = append(multiline, f.name)
		}
	}
	slices.Sort(args[1:])
	args = append(args, "--id-type=ACTUAL", "--array-delimiter="+arrayDelimiterFlag)
	if len(multiline) > 0 {
		args = append(args, "--multiline-fields-format=v2", "--multiline-fields="+strings.Join(multiline, ","))
	}
	f, err := w.create(ArgsFile, strings.Join(args, "\n"))
	if err != nil {
		return err
	}
	return f.close()
}

// create makes a file in dir and writes its first line.
func (w *writer) create(name, first string) (*csvFile, error) {
	f, err := os.OpenFile(filepath.Join(w.dir, name), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	c := &csvFile{name: name, f: f, sum: sha256.New()}
	c.w = bufio.NewWriterSize(io.MultiWriter(f, c.sum), 1<<20)
	w.files = append(w.files, c)
	w.byName[name] = c
	c.w.WriteString(first + "\n")
	return c, nil
}

func (w *writer) close() error {
	var errs []error
	for _, f := range w.files {
		errs = append(errs, f.close())
	}
	return errors.Join(errs...)
}

func (w *writer) removeAll() {
	for _, f := range w.files {
		os.Remove(filepath.Join(w.dir, f.name))
	}
}

// header is the importer's typed header: the leading columns, then one per
// property.
func header(props []store.Property, lead ...string) string {
	cols := slices.Clone(lead)
	for _, p := range props {
		cols = append(cols, p.Name+":"+importType[p.Type])
	}
	return strings.Join(cols, ",")
}

// importType is the importer's name of each property type; what it reads
// for them is what the driver writes for Go's values.
var importType = map[store.PropertyType]string{
	store.String:     "string",
	store.StringList: "string[]",
	store.Date:       "date",
	store.Int:        "long",
}

// csvFile is one CSV file being written.
type csvFile struct {
	name      string
	f         *os.File
	w         *bufio.Writer
	sum       hash.Hash // SHA-256 of what w has written
	multiline bool      // a field holds a line break
	closed    bool
}

// row encodes one row for file: lead (already encoded), then props in the
// order of list. what names the item for errors.
func (out *rows) row(file string, props map[string]any, list []store.Property, what string, lead ...string) error {
	b := out.buf[file]
	if b == nil {
		if out.buf == nil {
			out.buf, out.multiline = map[string]*bytes.Buffer{}, map[string]bool{}
		}
		b = new(bytes.Buffer)
		out.buf[file] = b
		out.files = append(out.files, file)
	}
	for i, l := range lead {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(l)
	}
	used := 0
	for _, p := range list {
		b.WriteByte(',')
		v, ok := props[p.Name]
		if !ok {
			continue // empty and unquoted: no property
		}
		used++
		field, err := encode(v, p.Type)
		if err != nil {
			return errs.Invalidf("%s: property %s: %v", what, p.Name, err)
		}
		out.multiline[file] = out.multiline[file] || strings.ContainsAny(field, "\r\n")
		b.WriteString(field)
	}
	if used != len(props) {
		// store has a property its lists lack: the file would silently miss it.
		return fmt.Errorf("%s: %d of its %d properties are in store's property lists", what, used, len(props))
	}
	return b.WriteByte('\n')
}

// encode is one field: strings quoted (so that "" is an empty string, not
// no value), quotes doubled.
func encode(v any, typ store.PropertyType) (string, error) {
	switch x := v.(type) {
	case string:
		if typ == store.String {
			return quote(x), nil
		}
	case []string:
		if typ != store.StringList {
			break
		}
		if len(x) == 1 && x[0] == "" {
			return "", errors.New(`a list of one empty string, which the importer would read as no list`)
		}
		for _, s := range x {
			if strings.ContainsRune(s, arrayDelimiter) {
				return "", fmt.Errorf("%q holds U+001F, the importer's list delimiter here", s)
			}
		}
		return quote(strings.Join(x, string(arrayDelimiter))), nil
	case neo4j.Date:
		if typ == store.Date {
			return time.Time(x).Format(time.DateOnly), nil
		}
	case int:
		if typ == store.Int {
			return strconv.Itoa(x), nil
		}
	}
	return "", fmt.Errorf("value %#v (%T) is not of its listed type", v, v)
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func (c *csvFile) close() error {
	if c.closed {
		return nil
	}
	c.closed = true
	err := c.w.Flush()
	if cerr := c.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// nameKey is Cypher's toLower(name), which Load writes as nameKey, when Go
// computes the same: Neo4j lowers with Java's String.toLowerCase, which
// differs from strings.ToLower for İ and a final Σ (in the root or an
// English locale, which Neo4j runs in here), and may know case pairs of
// another Unicode version than Go's. For a name with İ, Σ, or any cased
// letter past Cyrillic (U+052F), whose case pairs are decades old, it
// leaves nameKey out, and store.ApplySchema's migration computes it with
// Cypher's own toLower when the imported database first starts.
func nameKey(name string) (string, bool) {
	for _, r := range name {
		cased := unicode.ToLower(r) != r || unicode.ToUpper(r) != r || unicode.IsUpper(r) || unicode.IsLower(r)
		if cased && (r >= 0x0530 || r == 'İ' || r == 'Σ') {
			return "", false
		}
	}
	return strings.ToLower(name), true
}
