package export

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"

	"cyberkg/kg"
)

// STIX 2.1. Each entity becomes the nearest STIX Domain Object:
//
//	STATE, FIRM, PERSON, and AGENCY or ORGANIZATION  → identity
//	AGENCY the graph holds responsible for an attack  → threat-actor (nation-state)
//	ORGANIZATION held responsible for an attack      → intrusion-set
//	EVENT that is an attack (it TARGETED someone, or is ATTRIBUTED_TO someone) → campaign
//	REPORT with a date and something it is about     → report
//	LAW, AGREEMENT, RECOMMENDATION, PRODUCT, and the other EVENTs and REPORTs
//	  → x-cyberkg-<kind>, a new SDO published by an extension-definition in the bundle
//
// Relationships become relationship objects (type in lower case with
// dashes, start_time/stop_time from their dates, confidence on the STIX
// 0–100 scale), and each piece of evidence an external_reference whose
// description is the quote, source_name the cited report's id and
// external_id the paragraph ("¶25"); evidence that disputes a claim is also
// an opinion ("disagree") about it. Ids are UUIDv5 of our ids in a fixed
// namespace, so a re-export updates the same objects in a platform instead
// of duplicating them.

// STIXNamespace is the UUIDv5 namespace of every STIX id this service makes.
// Never change it: platforms would see every object as new.
var STIXNamespace = uuid.MustParse("e7ef89c5-e0c0-4666-bd52-f08c71f6c8ab")

// stixTimestamp is every object's created and modified time. The graph
// keeps no record time yet (the roadmap's curation brings it); a fixed one
// keeps re-exports byte-identical, which is what lets a platform see them as
// the same objects.
const stixTimestamp = "2016-12-31T00:00:00.000Z"

// STIXConfidence maps our confidence levels onto STIX's 0–100 scale, at the
// middle of the matching band of the spec's "WEP" scale (Appendix A).
func STIXConfidence(c kg.Confidence) int {
	switch c {
	case kg.Confirmed:
		return 95 // almost certain
	case kg.Reported:
		return 70 // likely: another's finding, passed on
	case kg.Inferred:
		return 50 // roughly even chance: "reasonable to believe", "seem"
	case kg.Possible:
		return 40 // what the source says may or could follow: no more than an even chance
	case kg.Alleged:
		return 35 // unlikely to be established: an accusation
	case kg.Disputed:
		return 15 // asserted by one party and denied by another
	}
	return 0 // unknown level: none claimed
}

// stixType is the STIX type of an entity; it must be the same wherever the
// entity is seen (as itself or at the end of a relationship), so it depends
// only on what a Ref carries. hasNeighbours is true at a relationship's end.
func stixType(kind kg.Kind, hostile, dated, hasNeighbours bool) string {
	switch {
	case kind == kg.Agency && hostile:
		return "threat-actor"
	case kind == kg.Organization && hostile:
		return "intrusion-set"
	case kind == kg.State, kind == kg.Agency, kind == kg.Organization, kind == kg.Firm, kind == kg.Person:
		return "identity"
	case kind == kg.Event && hostile:
		return "campaign"
	case kind == kg.Report && dated && hasNeighbours:
		return "report"
	}
	return customType(kind)
}

func customType(kind kg.Kind) string { return "x-cyberkg-" + strings.ToLower(string(kind)) }

// customKinds are the kinds that may map to a new SDO.
var customKinds = []kg.Kind{kg.Law, kg.Agreement, kg.Recommendation, kg.Product, kg.Event, kg.Report}

func stixID(typ, name string) string { return typ + "--" + stixUUID(name) }

func stixUUID(name string) string { return uuid.NewSHA1(STIXNamespace, []byte(name)).String() }

// refID is the STIX id of the entity ref describes.
func refID(r Ref) string {
	return stixID(stixType(r.Kind, r.Hostile, r.Dated, true), "entity:"+r.ID)
}

var producerID = stixID("identity", "producer:cyberkg")

func extensionID(kind kg.Kind) string {
	return stixID("extension-definition", "extension:"+customType(kind))
}

func stixTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func firstTime(d kg.Date) string {
	if d.IsZero() {
		return ""
	}
	return stixTime(d.First())
}

// endTime is when a period ends: the day after its last day.
func endTime(d kg.Date) string {
	if d.IsZero() {
		return ""
	}
	return stixTime(d.Last().AddDate(0, 0, 1))
}

type externalReference struct {
	SourceName  string `json:"source_name"`
	Description string `json:"description,omitempty"`
	ExternalID  string `json:"external_id,omitempty"`
}

func references(id string, ev []kg.Evidence) []externalReference {
	out := []externalReference{{SourceName: "cyberkg", ExternalID: id}}
	for _, e := range ev {
		out = append(out, externalReference{SourceName: e.Source, Description: e.Quote, ExternalID: e.Locator()})
	}
	return out
}

// STIX writes a STIX 2.1 bundle.
type STIX struct {
	w       *bufio.Writer
	started bool
	n       int
}

// NewSTIX starts a bundle on w.
func NewSTIX(w io.Writer) *STIX { return &STIX{w: bufio.NewWriter(w)} }

func (s *STIX) start() error {
	if s.started {
		return nil
	}
	s.started = true
	// A bundle is a transport envelope with no meaning of its own: a fresh
	// id each time, as the spec intends.
	fmt.Fprintf(s.w, "{\"type\":\"bundle\",\"id\":\"bundle--%s\",\"objects\":[", uuid.New())
	if err := s.object(map[string]any{
		"type": "identity", "spec_version": "2.1", "id": producerID,
		"created": stixTimestamp, "modified": stixTimestamp,
		"name": "cyberkg", "identity_class": "system",
		"description": "The US–China cybersecurity knowledge graph service, which produced this bundle.",
	}); err != nil {
		return err
	}
	for _, k := range customKinds {
		err := s.object(map[string]any{
			"type": "extension-definition", "spec_version": "2.1", "id": extensionID(k),
			"created": stixTimestamp, "modified": stixTimestamp, "created_by_ref": producerID,
			"name":        "cyberkg " + strings.ToLower(string(k)),
			"description": fmt.Sprintf("A new SDO, %s, for an entity of kind %s of the cyberkg knowledge graph, which no STIX 2.1 object fits.", customType(k), k),
			"schema": fmt.Sprintf("%s: name (string), description (string), aliases (list of string), kind (string, %q), "+
				"start and end (string: a date as the source writes it, YYYY, YYYY-MM or YYYY-MM-DD), "+
				"status (string, laws: DRAFT, ADOPTED, IN_FORCE, SUSPENDED, WITHDRAWN), article and number (integer); "+
				"external_references hold the evidence.", customType(k), k),
			"version":         "1.0.0",
			"extension_types": []string{"new-sdo"},
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *STIX) object(v map[string]any) error {
	if s.n > 0 {
		s.w.WriteString(",")
	}
	s.w.WriteString("\n")
	s.n++
	for k, x := range v { // leave out what is unknown rather than write empty values
		switch x := x.(type) {
		case string:
			if x == "" {
				delete(v, k)
			}
		case []string:
			if len(x) == 0 {
				delete(v, k)
			}
		case int:
			if x == 0 {
				delete(v, k)
			}
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = s.w.Write(b)
	return err
}

// Entity writes the entity's object.
func (s *STIX) Entity(n Node) error {
	if err := s.start(); err != nil {
		return err
	}
	e := n.Entity
	typ := stixType(e.Kind, n.Hostile, !e.Start.IsZero(), len(n.Neighbours) > 0)
	o := map[string]any{
		"type": typ, "spec_version": "2.1", "id": stixID(typ, "entity:"+e.ID),
		"created": stixTimestamp, "modified": stixTimestamp, "created_by_ref": producerID,
		"name": e.Name, "description": e.Description,
		"external_references": references(e.ID, e.Evidence),
	}
	switch typ {
	case "identity":
		class, sectors := "organization", []string(nil)
		switch e.Kind {
		case kg.Person:
			class = "individual"
		case kg.State, kg.Agency:
			sectors = []string{"government"}
		case kg.Organization:
			class = "group"
		}
		o["identity_class"], o["sectors"] = class, sectors
		if e.Title != "" {
			o["roles"] = []string{e.Title}
		}
	case "threat-actor":
		o["threat_actor_types"], o["aliases"] = []string{"nation-state"}, e.Aliases
		o["first_seen"], o["last_seen"] = firstTime(e.Start), endTime(e.End)
	case "intrusion-set", "campaign":
		o["aliases"] = e.Aliases
		o["first_seen"], o["last_seen"] = firstTime(e.Start), endTime(e.End)
	case "report":
		refs := make([]string, len(n.Neighbours))
		for i, r := range n.Neighbours {
			refs[i] = refID(r)
		}
		o["published"], o["object_refs"] = firstTime(e.Start), refs
	default:
		o["kind"], o["aliases"] = string(e.Kind), e.Aliases
		o["start"], o["end"], o["status"] = e.Start.String(), e.End.String(), string(e.Status)
		o["article"], o["number"] = e.Article, e.Number
		o["extensions"] = map[string]any{extensionID(e.Kind): map[string]string{"extension_type": "new-sdo"}}
	}
	if err := s.object(o); err != nil {
		return err
	}
	return s.opinions(o["id"].(string), e.ID, e.Evidence)
}

// opinions writes, for each piece of evidence that disputes a claim, a STIX
// opinion of "disagree" about the claim's object, citing the quote: a
// platform then shows the claim as contested, as the graph does.
func (s *STIX) opinions(ref, id string, ev []kg.Evidence) error {
	for _, e := range ev {
		if e.Stance != kg.Disputes {
			continue
		}
		err := s.object(map[string]any{
			"type": "opinion", "spec_version": "2.1",
			"id":      stixID("opinion", fmt.Sprintf("opinion:%s:%s:%d:%s", id, e.Source, e.Paragraph, e.Quote)),
			"created": stixTimestamp, "modified": stixTimestamp, "created_by_ref": producerID,
			"opinion": "disagree", "explanation": e.Quote, "object_refs": []string{ref},
			"external_references": []externalReference{{SourceName: e.Source, Description: e.Quote, ExternalID: e.Locator()}},
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Relationship writes a relationship object.
func (s *STIX) Relationship(e Edge) error {
	if err := s.start(); err != nil {
		return err
	}
	r := e.Relationship
	desc := r.Description
	if len(r.ClaimedBy) > 0 { // STIX has no claimant but the producer; say it in words
		desc = strings.TrimSpace(desc + " (Claimed by: " + strings.Join(r.ClaimedBy, ", ") + ".)")
	}
	id := stixID("relationship", "relationship:"+r.ID)
	err := s.object(map[string]any{
		"type": "relationship", "spec_version": "2.1", "id": id,
		"created": stixTimestamp, "modified": stixTimestamp, "created_by_ref": producerID,
		"relationship_type": strings.ReplaceAll(strings.ToLower(string(r.Type)), "_", "-"),
		"source_ref":        refID(e.FromRef), "target_ref": refID(e.ToRef),
		"description": desc, "start_time": firstTime(r.Start), "stop_time": endTime(r.End),
		"confidence":          STIXConfidence(r.Confidence),
		"external_references": references(r.ID, r.Evidence),
	})
	if err != nil {
		return err
	}
	return s.opinions(id, r.ID, r.Evidence)
}

// Close ends the bundle.
func (s *STIX) Close() error {
	if err := s.start(); err != nil {
		return err
	}
	s.w.WriteString("\n]}\n")
	return s.w.Flush()
}
