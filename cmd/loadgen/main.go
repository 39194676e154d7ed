// Command loadgen measures Rendezvous from outside, for BENCHMARKS.md:
//
//	loadgen startup -bin ./rendezvous -runs 10     time from exec to a ready /readyz, and idle RSS
//	loadgen seed -db URL -mentors 1000 -busy 100   seed mentors with busy time; prints links to a file
//	loadgen slots -base URL -links FILE -rate 500 -duration 30s
//	loadgen book -base URL -links FILE -concurrency 32 -duration 20s
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: loadgen startup|seed|slots|book [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "startup":
		err = startup(os.Args[2:])
	case "seed":
		err = seed(os.Args[2:])
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
