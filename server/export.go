package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"cyberkg/errs"
	"cyberkg/export"
	"cyberkg/kg"
	"cyberkg/store"
)

// newExportHandler serves GET /export/{file}, one file per export.Format:
//
//	around=ID&depth=N   the neighbourhood of one entity (depth 1 by default)
//	asOf=DATE           relationships in force on DATE, entities begun by it
//	kinds=K1,K2         entities of these kinds only
//	types=T1,T2         relationships of these types only
//
// The selection is sized before anything is written: one larger than
// -export-max-nodes is refused with 400 and a message saying how to narrow
// it. Then the export streams, one record at a time.
func newExportHandler(s *store.Store, cfg config, log *slog.Logger) http.Handler {
	formats := map[string]export.Format{}
	for _, f := range export.Formats {
		formats[f.File] = f
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		format, ok := formats[r.PathValue("file")]
		if !ok {
			names := make([]string, len(export.Formats))
			for i, f := range export.Formats {
				names[i] = f.File
			}
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such export; there are " + strings.Join(names, ", ")})
			return
		}
		filter, err := exportFilter(r)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		sel, err := s.SelectExport(r.Context(), filter, cfg.exportMaxNodes)
		if err != nil {
			exportError(w, log, err)
			return
		}
		if sel.Entities > cfg.exportMaxNodes {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf(
				"the selection has more than %d entities, the most one export may hold; narrow it with around and depth, kinds, types or asOf",
				cfg.exportMaxNodes)})
			return
		}

		// The server's write timeout is sized for GraphQL answers; an export
		// may take as long as its own timeout.
		_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(cfg.exportTimeout + 10*time.Second))
		w.Header().Set("Content-Type", format.ContentType)
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, downloadName(filter, format.File)))
		out := format.New(w)
		var sinks store.ExportSinks
		if format.Entities {
			sinks.Entity = out.Entity
		}
		if format.Relationships {
			sinks.Relationship = out.Relationship
		}
		if hw, ok := out.(historyWriter); ok {
			// The lossless format carries the log too (of the whole graph only).
			sinks.Change, sinks.Version = hw.Change, hw.Version
		}
		if sw, ok := out.(interface{ Sources([]kg.Source) error }); ok {
			// The lossless format carries the texts its evidence quotes.
			var srcs []kg.Source
			if srcs, err = s.Sources(r.Context()); err == nil {
				err = sw.Sources(srcs)
			}
		}
		if err == nil {
			err = s.StreamExport(r.Context(), sel, cfg.exportTimeout, sinks)
		}
		if err == nil {
			err = out.Close()
		}
		if err != nil {
			// The status is sent; cutting the connection is the only way left
			// to tell the client that the file is incomplete.
			log.ErrorContext(r.Context(), "export failed", "file", format.File, "err", err)
			panic(http.ErrAbortHandler)
		}
	})
}

// historyWriter is a format that carries the change log and the versions.
type historyWriter interface {
	Change(kg.Change) error
	Version(kg.VersionRecord) error
}

func exportError(w http.ResponseWriter, log *slog.Logger, err error) {
	switch errs.KindOf(err) {
	case errs.Invalid:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": errors.Unwrap(err).Error()})
	case errs.NotFound:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": errors.Unwrap(err).Error()})
	case errs.Unavailable:
		log.Warn("export", "err", err)
		w.Header().Set("Retry-After", "5")
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "the database is unavailable; try again"})
	default:
		log.Error("export", "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal error"})
	}
}

// exportFilter reads the query string, refusing what it does not know.
func exportFilter(r *http.Request) (store.ExportFilter, error) {
	var f store.ExportFilter
	q := r.URL.Query()
	for k := range q {
		switch k {
		case "around", "depth", "asOf", "kinds", "types":
		default:
			return f, fmt.Errorf("unknown parameter %q; exports take around, depth, asOf, kinds and types", k)
		}
	}
	f.Around = q.Get("around")
	if d := q.Get("depth"); d != "" {
		if f.Around == "" {
			return f, errors.New("depth needs around")
		}
		n, err := strconv.Atoi(d)
		if err != nil || n < 1 || n > store.MaxExpandDepth {
			return f, fmt.Errorf("depth must be a whole number from 1 to %d, got %q", store.MaxExpandDepth, d)
		}
		f.Depth = n
	} else if f.Around != "" {
		f.Depth = 1
	}
	if a := q.Get("asOf"); a != "" {
		d, err := kg.ParseDate(a)
		if err != nil {
			return f, fmt.Errorf("asOf: %w", err)
		}
		f.AsOf = d
	}
	for _, k := range list(q["kinds"]) {
		kind, ok := kg.ParseKind(k)
		if !ok {
			return f, fmt.Errorf("unknown kind %q", k)
		}
		f.Kinds = append(f.Kinds, kind)
	}
	for _, t := range list(q["types"]) {
		info, ok := kg.LookupRelType(t)
		if !ok {
			return f, fmt.Errorf("unknown relationship type %q", t)
		}
		f.Types = append(f.Types, info.Type)
	}
	return f, nil
}

// list reads a list given as repeated parameters, comma-separated, or both.
func list(vs []string) []string {
	var out []string
	for _, v := range vs {
		out = append(out, splitList(v)...)
	}
	return out
}

// downloadName names the file after what it holds: cyberkg-graph.json, or
// cyberkg-pla-unit-61398-2-graph.json for a neighbourhood of depth 2. Ids
// are slugs, safe in a header.
func downloadName(f store.ExportFilter, file string) string {
	if f.Around != "" && kg.ValidID(f.Around) {
		return fmt.Sprintf("cyberkg-%s-%d-%s", f.Around, f.Depth, file)
	}
	return "cyberkg-" + file
}
