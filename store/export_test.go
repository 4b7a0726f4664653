package store

// SetLoadChunk makes Load use transactions of n items until restore is called.
func SetLoadChunk(n int) (restore func()) {
	old := loadChunk
	loadChunk = n
	return func() { loadChunk = old }
}
