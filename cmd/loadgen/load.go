package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func parseURL(s string) (*url.URL, error) { return url.Parse(s) }

func readLinks(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return strings.Fields(string(data)), nil
}

func newHTTPClient() *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 512, MaxConnsPerHost: 512}}
}

// slots fires GET …/slots at a fixed rate (open loop, so a slow server
// cannot slow the arrival of requests) and reports latency percentiles.
func slots(args []string) error {
	fs := flag.NewFlagSet("slots", flag.ExitOnError)
	base := fs.String("base", "http://127.0.0.1:8080", "server")
	linksFile := fs.String("links", "links.txt", "links")
	rate := fs.Int("rate", 500, "requests per second")
	dur := fs.Duration("duration", 30*time.Second, "duration")
	fs.Parse(args)
	links, err := readLinks(*linksFile)
	if err != nil {
		return err
	}
	client := newHTTPClient()
	var mu sync.Mutex
	var lat []time.Duration
	var errs, non200 atomic.Int64
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / time.Duration(*rate))
	defer tick.Stop()
	end := time.Now().Add(*dur)
	from := time.Now().UTC().Truncate(time.Hour).Add(24 * time.Hour)
	for i := 0; time.Now().Before(end); i++ {
		<-tick.C
		link := links[rand.IntN(len(links))]
		day := from.Add(time.Duration(rand.IntN(21)) * 24 * time.Hour)
		u := fmt.Sprintf("%s/api/v1/book/%s/slots?from=%s&to=%s&tz=America/Toronto", *base, link,
			day.Format(time.RFC3339), day.Add(7*24*time.Hour).Format(time.RFC3339))
		wg.Add(1)
		go func() {
			defer wg.Done()
			t0 := time.Now()
			res, err := client.Get(u)
			if err != nil {
				errs.Add(1)
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			d := time.Since(t0)
			if res.StatusCode != 200 {
				non200.Add(1)
			}
			mu.Lock()
			lat = append(lat, d)
			mu.Unlock()
		}()
	}
	wg.Wait()
	p := percentiles(lat)
	fmt.Printf("slots: %d requests at %d/s over %s: p50 %s  p90 %s  p99 %s  max %s  errors %d  non-200 %d\n",
		len(lat), *rate, *dur, p.p50, p.p90, p.p99, p.max, errs.Load(), non200.Load())
	return nil
}

// book runs closed-loop bookers, each on its own mentor, taking the
// mentor's free slots one after another, and reports bookings per second.
func book(args []string) error {
	fs := flag.NewFlagSet("book", flag.ExitOnError)
	base := fs.String("base", "http://127.0.0.1:8080", "server")
	linksFile := fs.String("links", "links.txt", "links")
	conc := fs.Int("concurrency", 32, "concurrent bookers")
	dur := fs.Duration("duration", 20*time.Second, "duration")
	fs.Parse(args)
	links, err := readLinks(*linksFile)
	if err != nil {
		return err
	}
	client := newHTTPClient()
	var ok, conflict, failed atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	end := time.Now().Add(*dur)
	t0 := time.Now()
	for w := range *conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for li := w; li < len(links) && time.Now().Before(end); li += *conc {
				starts := freeStarts(client, *base, links[li])
				for n, start := range starts {
					if time.Now().After(end) {
						return
					}
					body, _ := json.Marshal(map[string]string{"start": start, "name": "Load", "email": fmt.Sprintf("l%d-%d@example.org", li, n)})
					t1 := time.Now()
					res, err := client.Post(*base+"/api/v1/book/"+links[li]+"/bookings", "application/json", bytes.NewReader(body))
					if err != nil {
						failed.Add(1)
						continue
					}
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					mu.Lock()
					lat = append(lat, time.Since(t1))
					mu.Unlock()
					switch res.StatusCode {
					case 201:
						ok.Add(1)
					case 409:
						conflict.Add(1)
					default:
						failed.Add(1)
					}
				}
			}
		}()
	}
	wg.Wait()
	el := time.Since(t0)
	p := percentiles(lat)
	fmt.Printf("bookings: %d created in %s = %.0f/s (409: %d, failed: %d); latency p50 %s p99 %s\n",
		ok.Load(), el.Round(time.Millisecond), float64(ok.Load())/el.Seconds(), conflict.Load(), failed.Load(), p.p50, p.p99)
	return nil
}

func freeStarts(client *http.Client, base, link string) []string {
	from := time.Now().UTC().Add(time.Hour)
	u := fmt.Sprintf("%s/api/v1/book/%s/slots?from=%s&to=%s", base, link, from.Format(time.RFC3339), from.Add(27*24*time.Hour).Format(time.RFC3339))
	res, err := client.Get(u)
	if err != nil {
		return nil
	}
	defer res.Body.Close()
	var body struct{ Slots []struct{ Start string } }
	json.NewDecoder(res.Body).Decode(&body)
	out := make([]string, len(body.Slots))
	for i, s := range body.Slots {
		out[i] = s.Start
	}
	return out
}
