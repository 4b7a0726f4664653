package kg

// History is a graph's record-time past as an export carries it: its change
// log and every recorded version, so that an import into an empty graph
// gives back the same history, changes and recordedAt reads.
type History struct {
	Changes  []Change        // oldest first
	Versions []VersionRecord // by target, then version
}

// VersionRecord is one recorded version with the state it recorded.
type VersionRecord struct {
	Version
	Entity       *Entity       // the entity's state, for an entity's version
	Relationship *Relationship // the relationship's state, for a relationship's
	// Ends are the entities the version touches (a relationship's ends, old
	// and new); RelType its type: what recordedAt reads look versions up by.
	Ends    []string
	RelType RelType
	Origin  string // the origin of the change that recorded it: "api", "seed", "import", or "load"
}
