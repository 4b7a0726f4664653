// Package errs gives errors a kind, so that the API can tell a user what they
// can act on (bad input, not found, unavailable) and keep the rest to the log.
package errs

import (
	"errors"
	"fmt"
)

// Kind classifies an error by what the caller can do about it.
type Kind string

const (
	Internal    Kind = "INTERNAL"            // a bug or an unexpected failure; details stay in the log
	Invalid     Kind = "BAD_USER_INPUT"      // the request is wrong; the message says how
	NotFound    Kind = "NOT_FOUND"           // what was asked for does not exist
	Unavailable Kind = "SERVICE_UNAVAILABLE" // the database cannot be reached; try again
	Timeout     Kind = "TIMEOUT"             // the request ran out of time; ask for less or try again

	Unauthenticated Kind = "UNAUTHENTICATED" // the request needs credentials and has none (or bad ones)
	Forbidden       Kind = "FORBIDDEN"       // the caller's role does not allow it
)

// Error is an error with an operation and a kind.
type Error struct {
	Op   string // what was being done, e.g. "store.Search"
	Kind Kind
	Err  error
}

func (e *Error) Error() string {
	if e.Op == "" {
		return e.Err.Error()
	}
	return fmt.Sprintf("%s: %v", e.Op, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// E builds an Error.
func E(op string, kind Kind, err error) error { return &Error{Op: op, Kind: kind, Err: err} }

// Invalidf is a bad-input error whose message is shown to the user as is.
func Invalidf(format string, a ...any) error {
	return &Error{Kind: Invalid, Err: fmt.Errorf(format, a...)}
}

// KindOf returns the kind of the outermost Error in err's chain, or Internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}
