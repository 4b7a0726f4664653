package bulk

// SetChunkSize makes Write encode n items a chunk until restore is called.
func SetChunkSize(n int) (restore func()) {
	old := chunkSize
	chunkSize = n
	return func() { chunkSize = old }
}
