//go:build race

package ical

// raceDetector tells the allocation tests that the race detector's
// instrumentation is in the build: it moves values to the heap that a
// production build keeps on the stack, so allocation figures are not ours.
const raceDetector = true
