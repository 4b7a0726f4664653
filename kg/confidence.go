package kg

// Confidence keeps the source's own hedging on a relationship.
type Confidence string

const (
	Confirmed Confidence = "CONFIRMED" // stated as fact by the source
	Reported  Confidence = "REPORTED"  // the source reports another's finding ("according to", "revealed")
	Alleged   Confidence = "ALLEGED"   // an accusation ("alleged", "accused", "suspected")
	Disputed  Confidence = "DISPUTED"  // asserted by one party and denied by another
	Inferred  Confidence = "INFERRED"  // the source's own inference about what is or was ("reasonable to believe", "seem")
	// Possible is apart from Inferred so that chain can show, or leave out,
	// what the source only thinks may follow (a risk it warns of, a result it
	// hopes a recommendation brings), as against what it holds did follow.
	Possible Confidence = "POSSIBLE" // what the source says may, could or will happen, not what happened ("may", "could lead to")
)

// Confidences lists every level with its meaning.
var Confidences = []struct {
	Level       Confidence
	Description string
}{
	{Confirmed, "Stated as fact by the source."},
	{Reported, "The source reports another's finding or statement (\"according to\", \"revealed\")."},
	{Alleged, "An accusation or suspicion (\"alleged\", \"accused\", \"suspected\")."},
	{Disputed, "Asserted by one party and denied by another."},
	{Inferred, "The source's own inference about what is or was (\"reasonable to believe\", \"seem\")."},
	{Possible, "What the source says may, could or will happen, not what has happened: a possibility it raises, a risk it warns of, a result it expects (\"may\", \"could lead to\", \"will eventually\")."},
}

// ParseConfidence returns the level named s, or false.
func ParseConfidence(s string) (Confidence, bool) {
	for _, c := range Confidences {
		if string(c.Level) == s {
			return c.Level, true
		}
	}
	return "", false
}
