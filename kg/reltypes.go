package kg

// RelType is the closed vocabulary of relationship types. Every type has one
// direction, given in its description as "from → to".
type RelType string

// RelTypeInfo documents one relationship type.
type RelTypeInfo struct {
	Type        RelType
	Group       string // structure, action or cause
	Description string
	Causal      bool // followed by causal chains, always from cause to effect
}

// RelTypes lists the vocabulary. Keep it small enough to learn in a minute.
var RelTypes = []RelTypeInfo{
	// Structure.
	{"PART_OF", "structure", "part → whole: a unit of an agency, an article of a law, a member of a group, a session of a dialogue.", false},
	{"BASED_IN", "structure", "body → state where it is based or to which it belongs.", false},
	{"LEADS", "structure", "person → body they head (president, chairman, CEO, spokesman speaking for it).", false},
	{"WORKS_FOR", "structure", "person → body they work for, in a role below its head.", false},
	{"OWNS", "structure", "owner → what it owns or runs.", false},
	{"MAKES", "structure", "firm → product it makes.", false},
	{"DRAFT_OF", "structure", "draft → the law or regulation it became or belongs to.", false},
	{"CITES", "structure", "document → document it cites as a source.", false},
	{"IN_FORCE_IN", "structure", "law, regulation or agreement → state where it is in force: start when it took effect, end when it was suspended or lapsed.", false},

	// Actions.
	{"TARGETED", "action", "attacker, attack or measure → whom it is aimed at.", false},
	{"ATTRIBUTED_TO", "action", "act → actor held responsible (claimedBy says who attributes it).", false},
	{"ACCUSED", "action", "accuser → the accused (or the act it accuses them of).", false},
	{"DENIED", "action", "denier → accusation or act it denies.", false},
	{"INDICTED", "action", "prosecutor → the indicted.", false},
	{"INVESTIGATED", "action", "investigator → the investigated.", false},
	{"FINED", "action", "regulator → the fined.", false},
	{"BANNED", "action", "authority → what it banned.", false},
	{"BLOCKED", "action", "authority → what it blocked.", false},
	{"REVIEWED", "action", "reviewing authority → what it put under review.", false},
	{"DEMANDED", "action", "actor → who it demanded something of (the description says what).", false},
	{"ENACTED", "action", "authority → law, regulation or policy it adopted, approved or issued.", false},
	{"SUSPENDED", "action", "actor → what it suspended or halted.", false},
	{"SIGNED", "action", "party → agreement or letter it signed or reached.", false},
	{"CRITICIZED", "action", "critic → what it criticized, opposed or called a threat.", false},
	{"PROTESTED", "action", "protester → what it protested.", false},
	{"AUTHORED", "action", "author → document.", false},
	{"PUBLISHED", "action", "publisher → document.", false},
	{"REPORTED", "action", "reporter or document → what it reported, revealed or found.", false},
	{"PARTICIPATED_IN", "action", "participant → event, agreement, dialogue or review it took part in.", false},
	{"AFFECTED", "action", "event or policy → who bore its effect.", false},
	{"ADDRESSED_TO", "action", "recommendation, letter or communication → the actor it asks to act or is sent to.", false},
	{"CONCERNS", "action", "recommendation or document → what it is about.", false},

	// Cause, always from cause to effect.
	{"CAUSED", "cause", "cause → effect: the source states the effect followed from the cause.", true},
	{"CONTRIBUTED_TO", "cause", "cause → effect: one of several factors, or a weaker link the source draws.", true},
	{"PROMPTED", "cause", "stimulus → response: an act done in answer to another.", true},
}

// LookupRelType returns the documented type named s, or false.
func LookupRelType(s string) (RelTypeInfo, bool) {
	for _, t := range RelTypes {
		if string(t.Type) == s {
			return t, true
		}
	}
	return RelTypeInfo{}, false
}

// CausalTypes returns the types that causal chains follow.
func CausalTypes() []RelType {
	var out []RelType
	for _, t := range RelTypes {
		if t.Causal {
			out = append(out, t.Type)
		}
	}
	return out
}
