// Package model holds the GraphQL view of the domain: one Go type per entity
// kind over kg.Entity, and marshalers that bind GraphQL enums and scalars to
// the domain's own types, so that no second copy of the vocabulary exists.
package model

import (
	"github.com/99designs/gqlgen/graphql"

	"cyberkg/errs"
	"cyberkg/kg"
)

// MarshalDate writes a date as precise as it is known; an unknown date is null.
func MarshalDate(d kg.Date) graphql.Marshaler {
	if d.IsZero() {
		return graphql.Null
	}
	return graphql.MarshalString(d.String())
}

// UnmarshalDate reads "2014", "2015-09" or "2015-09-25".
func UnmarshalDate(v any) (kg.Date, error) {
	s, ok := v.(string)
	if !ok {
		return kg.Date{}, errs.Invalidf("Date must be a string such as \"2015\", \"2015-09\" or \"2015-09-25\", not %T", v)
	}
	d, err := kg.ParseDate(s)
	if err != nil {
		return kg.Date{}, errs.Invalidf("%v", err)
	}
	return d, nil
}

func MarshalEntityKind(k kg.Kind) graphql.Marshaler { return graphql.MarshalString(string(k)) }

func UnmarshalEntityKind(v any) (kg.Kind, error) {
	s, _ := v.(string)
	if k, ok := kg.ParseKind(s); ok {
		return k, nil
	}
	return "", errs.Invalidf("%v is not an EntityKind", v)
}

func MarshalRelationType(t kg.RelType) graphql.Marshaler { return graphql.MarshalString(string(t)) }

func UnmarshalRelationType(v any) (kg.RelType, error) {
	s, _ := v.(string)
	if t, ok := kg.LookupRelType(s); ok {
		return t.Type, nil
	}
	return "", errs.Invalidf("%v is not a RelationType", v)
}

func MarshalConfidence(c kg.Confidence) graphql.Marshaler { return graphql.MarshalString(string(c)) }

func UnmarshalConfidence(v any) (kg.Confidence, error) {
	s, _ := v.(string)
	if c, ok := kg.ParseConfidence(s); ok {
		return c, nil
	}
	return "", errs.Invalidf("%v is not a Confidence", v)
}

// MarshalLawStatus writes a status; a law with none gives null.
func MarshalLawStatus(s kg.LawStatus) graphql.Marshaler {
	if s == "" {
		return graphql.Null
	}
	return graphql.MarshalString(string(s))
}

func UnmarshalLawStatus(v any) (kg.LawStatus, error) {
	s, _ := v.(string)
	for _, st := range kg.LawStatuses {
		if string(st) == s {
			return st, nil
		}
	}
	return "", errs.Invalidf("%v is not a LawStatus", v)
}
