package kg

// Confidence keeps the source's own hedging on a relationship.
type Confidence string

const (
	Confirmed Confidence = "CONFIRMED" // stated as fact by the source
	Reported  Confidence = "REPORTED"  // the source reports another's finding ("according to", "revealed")
	Alleged   Confidence = "ALLEGED"   // an accusation ("alleged", "accused", "suspected")
	Disputed  Confidence = "DISPUTED"  // asserted by one party and denied by another
	Inferred  Confidence = "INFERRED"  // the source's own inference ("reasonable to believe", "may")
)

// Confidences lists every level with its meaning.
var Confidences = []struct {
	Level       Confidence
	Description string
}{
	{Confirmed, "Stated as fact by the source."},
	{Reported, "The source reports another's finding or statement."},
	{Alleged, "An accusation or suspicion, not established."},
	{Disputed, "Asserted by one party and denied by another."},
	{Inferred, "The source's own inference or hedge (\"reasonable to believe\", \"may\")."},
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
