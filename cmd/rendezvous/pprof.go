//go:build pprof

package main

import (
	"log"
	"net/http"
	_ "net/http/pprof" // the profiling handlers, only in binaries built with -tags pprof
	"os"
)

// A binary built with `-tags pprof` serves Go's profiler on
// RENDEZVOUS_PPROF_ADDR (default 127.0.0.1:6060), for the measurements in
// BENCHMARKS.md; release builds carry none of it.
func init() {
	addr := os.Getenv("RENDEZVOUS_PPROF_ADDR")
	if addr == "" {
		addr = "127.0.0.1:6060"
	}
	go func() { log.Println(http.ListenAndServe(addr, nil)) }()
}
