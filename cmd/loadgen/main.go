// Command loadgen measures Rendezvous from outside, for BENCHMARKS.md:
//
//	loadgen startup -bin ./rendezvous -runs 10     time from exec to a ready /readyz, and idle RSS
//	loadgen seed -db URL -mentors 1000 -busy 100   seed mentors with busy time; prints links to a file
//	loadgen slots -base URL -links FILE -rate 500 -duration 30s
//	loadgen book -base URL -links FILE -concurrency 32 -duration 20s
//
// Issue 18 (slots from memory):
//
//	loadgen setup -db URL -mentors 200 -mentees 20   Mon-Fri 09-18 mentors and their mentee links
//	loadgen slots -links FILE -window-days 28 -rotate -rate 0 -connections 32   most answers per second
//	loadgen slots -links FILE -window-days 28 -rotate -rate 1500               p50/p99 at a paced rate
//	loadgen paths -links FILE -window-days 28 -out paths.txt                    paths for wrk (slots.lua)
//	loadgen book -links FILE -per-link -mentors 200 -concurrency 4             bookings per second
//	loadgen soak -base URL -links FILE -pid PID -duration 10m                  RSS and goroutines over time
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: loadgen startup|seed|setup|slots|paths|book|soak [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "startup":
		err = startup(os.Args[2:])
	case "seed":
		err = seed(os.Args[2:])
	case "setup":
		err = setup(os.Args[2:])
	case "paths":
		err = paths(os.Args[2:])
	case "soak":
		err = soak(os.Args[2:])
	case "slots":
		err = slots(os.Args[2:])
	case "book":
		err = book(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}
