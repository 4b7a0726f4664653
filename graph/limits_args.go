package graph

import "cyberkg/errs"

// The documented maxima of traversal arguments; the schema's descriptions
// state the same numbers.
const (
	MaxSearch            = 100
	MaxNeighborhoodDepth = 3
	MaxSubgraphLimit     = 1000
	MaxPathHops          = 6
	MaxPaths             = 50
	MaxChainHops         = 8
)

// intArg returns *v, or def when it is not given, checked to lie in [lo, hi].
func intArg(name string, v *int, def, lo, hi int) (int, error) {
	n := def
	if v != nil {
		n = *v
	}
	if n < lo || n > hi {
		return 0, errs.Invalidf("%s must be between %d and %d, got %d", name, lo, hi, n)
	}
	return n, nil
}
