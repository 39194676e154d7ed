package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// soak holds a paced slot load for a long time and samples the server's
// RSS (from /proc, so loadgen must run on the server's machine) and its
// goroutines (from /metrics) at every interval: both must stay flat.
func soak(args []string) error {
	fs := flag.NewFlagSet("soak", flag.ExitOnError)
	base := fs.String("base", "http://127.0.0.1:8080", "server")
	linksFile, days, rotate, tz := slotFlags(fs)
	pid := fs.Int("pid", 0, "server process id (for its RSS)")
	rate := fs.Int("rate", 1000, "slot requests per second")
	dur := fs.Duration("duration", 10*time.Minute, "duration")
	every := fs.Duration("every", 30*time.Second, "sampling interval")
	fs.Parse(args)
	p, err := newSlotPaths(*linksFile, *days, *rotate, *tz)
	if err != nil {
		return err
	}
	client := newHTTPClient()
	var done, failed atomic.Int64
	var wg sync.WaitGroup
	sample := func(at time.Duration) {
		fmt.Printf("%8s  requests %9d  failed %5d  RSS %6.1f MB  goroutines %d\n",
			at.Round(time.Second), done.Load(), failed.Load(), float64(rssKB(*pid))/1024, goroutines(client, *base))
	}
	t0 := time.Now()
	sample(0)
	nextSample := *every
	period := time.Second / time.Duration(*rate)
	for i := 0; ; i++ {
		at := time.Duration(i) * period
		if at > *dur {
			break
		}
		if at >= nextSample {
			wg.Wait()
			sample(at)
			nextSample += *every
		}
		time.Sleep(time.Until(t0.Add(at)))
		wg.Add(1)
		go func(path string) {
			defer wg.Done()
			res, err := client.Get(*base + path)
			if err != nil {
				failed.Add(1)
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != 200 {
				failed.Add(1)
			}
			done.Add(1)
		}(p.path())
	}
	wg.Wait()
	sample(time.Since(t0))
	return nil
}

// goroutines reads go_goroutines from the server's /metrics.
func goroutines(client *http.Client, base string) int {
	res, err := client.Get(base + "/metrics")
	if err != nil {
		return -1
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "go_goroutines "); ok {
			var n int
			fmt.Sscan(v, &n)
			return n
		}
	}
	return -1
}
