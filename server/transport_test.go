package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Clients and caches see the bytes gqlgen's own transports would write:
// writeResponse must agree with json.Marshal on every response, taking its
// fast path only where the data needs no change.
func TestResponsesAreWrittenAsEncodingJSONWritesThem(t *testing.T) {
	quoted := func(s string) string {
		var b bytes.Buffer
		graphql.MarshalString(s).MarshalGQL(&b) // as the executors write a string
		return b.String()
	}
	yes := true
	cases := []struct {
		name string
		resp *graphql.Response
		fast bool // the data is copied as it is
	}{
		{"plain data", &graphql.Response{Data: []byte(`{"entity":{"id":"china","name":"People’s Republic of China"}}`)}, true},
		{"extensions", &graphql.Response{Data: []byte(`{"a":1}`), Extensions: map[string]any{"cypherQueries": 1, "cost": 12, "cached": true}}, true},
		{"errors first", &graphql.Response{Data: []byte(`{"entity":null}`), Errors: gqlerror.List{{Message: "no entity <x> & co", Path: ast.Path{ast.PathName("entity")}}}}, true},
		{"no data", &graphql.Response{Errors: gqlerror.List{{Message: "bad"}}}, true},
		{"HTML in a string", &graphql.Response{Data: []byte(`{"name":` + quoted("Tom & <Jerry>") + `}`)}, false},
		{"line separators", &graphql.Response{Data: []byte(`{"name":` + quoted("a\u2028b\u2029c") + `}`)}, false},
		{"control characters", &graphql.Response{Data: []byte(`{"name":` + quoted("tab\tnewline\n") + `}`)}, true},
		{"an encoder's newline", &graphql.Response{Data: []byte("{\"any\":{\"k\":1}\n}")}, false},
		{"incremental part", &graphql.Response{Data: []byte(`{"a":1}`), Label: "l", Path: ast.Path{ast.PathName("x")}, HasNext: &yes}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want, err := json.Marshal(c.resp)
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			writeResponse(&got, c.resp)
			if got.String() != string(want) {
				t.Errorf("writeResponse wrote\n%s\njson.Marshal writes\n%s", got.String(), want)
			}
			if c.resp.Data != nil && c.resp.Label == "" {
				if fast := unchangedByMarshal(c.resp.Data); fast != c.fast {
					t.Errorf("unchangedByMarshal = %v, want %v", fast, c.fast)
				}
			}
		})
	}
	var got bytes.Buffer
	writeResponse(&got, nil)
	if got.String() != "null" {
		t.Errorf("a nil response is written %q, want null as json.Marshal writes it", got.String())
	}
}

// BenchmarkWriteResponse compares writing a nested page's answer (synthetic
// data of its shape, about 200 KB) with gqlgen's json.Marshal of it:
// go test ./server -run '^$' -bench WriteResponse
func BenchmarkWriteResponse(b *testing.B) {
	var d bytes.Buffer
	d.WriteString(`{"entities":{"nodes":[`)
	for i := range 100 {
		if i > 0 {
			d.WriteByte(',')
		}
		d.WriteString(`{"id":"synthetic-entity-00001","name":"Synthetic entity 1","relationships":[`)
		for j := range 10 {
			if j > 0 {
				d.WriteByte(',')
			}
			d.WriteString(`{"id":"synthetic-rel-000001","to":{"id":"synthetic-entity-00002","name":"Synthetic entity 2","relationships":[{"id":"synthetic-rel-000002","to":{"id":"synthetic-entity-00003"}}]}}`)
		}
		d.WriteString(`]}`)
	}
	d.WriteString(`]}}`)
	resp := &graphql.Response{Data: d.Bytes(), Extensions: map[string]any{"cypherQueries": 1, "cost": 11100}}
	for _, w := range []struct {
		name  string
		write func(*bytes.Buffer)
	}{
		{"writeResponse", func(out *bytes.Buffer) { writeResponse(out, resp) }},
		{"json.Marshal", func(out *bytes.Buffer) { j, _ := json.Marshal(resp); out.Write(j) }},
	} {
		b.Run(w.name, func(b *testing.B) {
			b.SetBytes(int64(len(resp.Data)))
			var out bytes.Buffer
			for b.Loop() {
				out.Reset()
				w.write(&out)
			}
		})
	}
}
