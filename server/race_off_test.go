//go:build !race

package main

// raceDetector says the tests were built with -race (scripts/test does).
const raceDetector = false
