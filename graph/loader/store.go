package loader

import "cyberkg/store"

// Store is the store the loaders read, for the reads that do not batch
// (those at a past record time).
func (l *Loaders) Store() *store.Store { return l.store }
