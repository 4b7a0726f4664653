package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"cyberkg/store"
)

// The peer ranks search candidates with a port of the store's ranking
// (peer/rank.js); O3 compares nothing unless the two agree, ties and odd
// text included. Both rank the same random candidates here.
func TestPeerRankingIsTheStores(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found")
	}
	rng := rand.New(rand.NewPCG(9, 9))
	words := []string{"snowden", "snowdon", "Snowden", "revelations", "revelation", "the", "of", "cisco", "Cisco", "cis",
		"São", "sao", "Paulo", "ΣΑΣ", "σας", "İstanbul", "istanbul", "1.65", "1,65", "975", "terabytes", "qualcomm",
		"qualcom", "fine", "中", "中国", "网络安全法", "𝔘nicode", "ｆｕｌｌ", "naïve", "naive", "ñu", "ñuñu", "αβγδ", "αβγδεζ",
		"cybersecurity", "cybersecurit", "e5", "x"}
	phrase := func(n int) string {
		var ws []string
		for range n {
			ws = append(ws, words[rng.IntN(len(words))])
		}
		return strings.Join(ws, " ")
	}
	type query struct {
		Text       string           `json:"text"`
		First      int              `json:"first"`
		Candidates []map[string]any `json:"candidates"`
	}
	var queries []query
	for range 1000 {
		q := query{Text: phrase(1 + rng.IntN(3)), First: 1 + rng.IntN(12)}
		if rng.IntN(3) == 0 { // spaces Go trims, and U+FEFF, which it does not
			pad := []string{" ", "\u00a0", "\u0085", "\u3000", "\ufeff"}
			q.Text = pad[rng.IntN(len(pad))] + q.Text + pad[rng.IntN(len(pad))]
		}
		for i := range rng.IntN(15) {
			facts, _ := json.Marshal([]map[string]any{{"name": "n", "value": phrase(1), "unit": phrase(1), "evidence": map[string]any{}}})
			var aliases []any
			for range rng.IntN(3) {
				aliases = append(aliases, phrase(1+rng.IntN(2)))
			}
			q.Candidates = append(q.Candidates, map[string]any{
				"entity": map[string]any{"id": fmt.Sprintf("e%d", rng.IntN(5)), "kind": "PERSON", "name": phrase(1 + rng.IntN(2)),
					"aliases": aliases, "description": phrase(rng.IntN(6)), "facts": string(facts)},
				"score": []float64{0, 0.5, 1.25, rng.Float64() * 10}[rng.IntN(4)] + float64(i%2),
				"fact":  rng.IntN(5) == 0,
			})
		}
		queries = append(queries, q)
	}
	in, _ := json.Marshal(queries)

	type hit struct {
		Score float64 `json:"score"`
		ID    string  `json:"id"`
		Name  string  `json:"name"`
	}
	var want [][]hit
	for _, q := range queries {
		hits := []hit{}
		for _, h := range store.RankCandidates(q.Text, q.Candidates, q.First) {
			hits = append(hits, hit{h.Score, h.Entity.ID, h.Entity.Name})
		}
		want = append(want, hits)
	}

	cmd := exec.Command(node, "--input-type=module", "-e", `
		import { rankCandidates } from "./peer/rank.js";
		process.stdin.setEncoding("utf8");
		let input = "";
		for await (const chunk of process.stdin) input += chunk;
		const out = JSON.parse(input).map((q) => rankCandidates(q.text, q.candidates, q.first)
			.map((h) => ({ score: h.score, id: h.entity.id, name: h.entity.name })));
		process.stdout.write(JSON.stringify(out));`)
	cmd.Stdin = strings.NewReader(string(in))
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("node: %v: %s", err, ee.Stderr)
		}
		t.Fatalf("node: %v", err)
	}
	var got [][]hit
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	for i := range queries {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("search %q: rank.js ranks\n%v\nthe store\n%v", queries[i].Text, got[i], want[i])
		}
	}
}
