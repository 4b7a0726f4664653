package store

import (
	"context"
	"sort"

	"cyberkg/kg"
)

// Weights say how much a hop of each confidence level counts towards a
// path's strength, the product of its hops' weights: 1 for a path the source
// states hop by hop, less for each hedged hop, and less for longer paths of
// the same hops.
type Weights map[kg.Confidence]float64

// DefaultWeights rank the levels as the brief's hedging does: what it
// states, then what it reports others found, its own inferences,
// accusations, what is denied, and last what it says only may happen.
var DefaultWeights = Weights{
	kg.Confirmed: 1, kg.Reported: 0.9, kg.Inferred: 0.7, kg.Alleged: 0.6, kg.Disputed: 0.4, kg.Possible: 0.3,
}

// Strength is p's strength under w; levels w lacks weigh as DefaultWeights.
func (w Weights) Strength(p Path) float64 {
	s := 1.0
	for _, r := range p.Edges {
		weight, ok := w[r.Confidence]
		if !ok {
			weight = DefaultWeights[r.Confidence]
		}
		s *= weight
	}
	return s
}

// StrengthCandidates is how many paths StrongestPaths weighs.
const StrengthCandidates = 200

// StrongestPaths is Paths ordered by strength under w, strongest first (ties
// shortest first, then stable): it weighs the first StrengthCandidates paths
// that mode finds (every shortest one, for SHORTEST) and keeps limit.
func (s *Store) StrongestPaths(ctx context.Context, p Projection, from, to string, maxHops int, f RelFilter, mode PathMode, limit int, w Weights) ([]Path, error) {
	if mode == Shortest {
		mode = AllShortest
	}
	paths, err := s.Paths(ctx, p, from, to, maxHops, f, mode, StrengthCandidates)
	if err != nil {
		return nil, err
	}
	return strongest(paths, w, limit), nil
}

// strongest orders paths by strength under w and keeps limit.
func strongest(paths []Path, w Weights, limit int) []Path {
	strength := make(map[string]float64, len(paths))
	for _, p := range paths {
		strength[pathKey(p)] = w.Strength(p)
	}
	sortPaths(paths)
	sort.SliceStable(paths, func(i, j int) bool { return strength[pathKey(paths[i])] > strength[pathKey(paths[j])] })
	return paths[:min(limit, len(paths))]
}
