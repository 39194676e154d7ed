package main

import (
	"slices"
	"time"
)

type summary struct{ min, p50, p90, p99, max time.Duration }

func percentiles(d []time.Duration) summary {
	if len(d) == 0 {
		return summary{}
	}
	s := slices.Clone(d)
	slices.Sort(s)
	at := func(q float64) time.Duration { return s[min(len(s)-1, int(q*float64(len(s))))] }
	return summary{min: s[0], p50: at(0.50), p90: at(0.90), p99: at(0.99), max: s[len(s)-1]}
}
