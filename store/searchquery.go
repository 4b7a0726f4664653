package store

// LuceneQuery is the full-text query Search sends for what a user typed, so
// that the benchmark can run the same search without the API.
func LuceneQuery(text string) string { return luceneQuery(queryWords(text)) }
