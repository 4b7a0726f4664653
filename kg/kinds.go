// Package kg is the domain of the knowledge graph: entities, relationships,
// their closed vocabularies, dates with precision, facts and evidence.
// It knows nothing of Neo4j or GraphQL.
package kg

// Kind is the closed set of entity kinds.
type Kind string

const (
	State          Kind = "STATE"          // a country acting as a state
	Agency         Kind = "AGENCY"         // government bodies, ministries, regulators, military units, state media
	Organization   Kind = "ORGANIZATION"   // business groups, international bodies, groups of actors
	Firm           Kind = "FIRM"           // companies
	Person         Kind = "PERSON"         // named or titled people
	Product        Kind = "PRODUCT"        // products and services
	Law            Kind = "LAW"            // laws, regulations, drafts, and their articles
	Agreement      Kind = "AGREEMENT"      // agreements, dialogues, working groups, mechanisms
	Event          Kind = "EVENT"          // things that happened, dated where the source dates them
	Report         Kind = "REPORT"         // studies, reports, books, articles, letters, statements
	Recommendation Kind = "RECOMMENDATION" // the brief's recommendations
)

// KindInfo documents one kind.
type KindInfo struct {
	Kind        Kind
	Description string
}

// Kinds lists every kind, in the order the API documents them.
var Kinds = []KindInfo{
	{State, "A country acting as a state (the United States, China, Russia)."},
	{Agency, "A government body: ministry, department, regulator, military unit, state media outlet."},
	{Organization, "A non-state body that is not a single firm: business groups, international bodies, loosely defined groups of actors."},
	{Firm, "A company."},
	{Person, "A person, named or identified by title."},
	{Product, "A product or service made by a firm."},
	{Law, "A law, regulation or draft, or one article of one (PART_OF its law)."},
	{Agreement, "An agreement, dialogue, working group or mechanism between parties."},
	{Event, "Something that happened: an attack, an announcement, a decision, a trend."},
	{Report, "A document: study, report, book, article, letter, statement (the brief itself is one)."},
	{Recommendation, "One of the brief's recommendations, linked to whom and what it addresses."},
}

// ParseKind returns the kind named s, or false.
func ParseKind(s string) (Kind, bool) {
	for _, k := range Kinds {
		if string(k.Kind) == s {
			return k.Kind, true
		}
	}
	return "", false
}
