package export

import (
	"testing"

	"cyberkg/kg"
)

// A confidence level added to kg must be placed on the STIX scale too, or
// its relationships would claim no confidence at all.
func TestEveryConfidenceHasAPlaceOnTheSTIXScale(t *testing.T) {
	prev := 101
	for _, c := range []kg.Confidence{kg.Confirmed, kg.Reported, kg.Inferred, kg.Possible, kg.Alleged, kg.Disputed} {
		n := STIXConfidence(c)
		if n >= prev {
			t.Errorf("%s is %d, not below the level before it (%d)", c, n, prev)
		}
		prev = n
	}
	for _, c := range kg.Confidences {
		if n := STIXConfidence(c.Level); n < 1 || n > 100 {
			t.Errorf("%s maps to %d, outside 1–100", c.Level, n)
		}
	}
}

// Ids must not change between exports or releases: platforms dedupe on them.
func TestSTIXIDsAreStable(t *testing.T) {
	ref := Ref{ID: "pla-unit-61398", Kind: kg.Agency, Hostile: true}
	if got, want := refID(ref), "threat-actor--"+stixUUID("entity:pla-unit-61398"); got != want {
		t.Errorf("refID = %s, want %s", got, want)
	}
	if got := stixUUID("entity:pla-unit-61398"); got != "9635acef-7b76-54b3-b395-1986ca32ce88" {
		t.Errorf("the UUIDv5 of pla-unit-61398 changed to %s: every platform would see a new object", got)
	}
}
