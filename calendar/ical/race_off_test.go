//go:build !race

package ical

const raceDetector = false
