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
	links := strings.Fields(string(data))
	if len(links) == 0 {
		return nil, fmt.Errorf("%s holds no links", path)
	}
	return links, nil
}

func newHTTPClient() *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 512, MaxConnsPerHost: 512}}
}

// slotPaths makes the request paths: with rotate, link i asks for the
// window [from, from+days) from the next hour on; otherwise a random link
// asks for a window starting on a random day of the next three weeks.
type slotPaths struct {
	links  []string
	days   int
	rotate bool
	tz     string
	from   time.Time
	next   atomic.Int64
}

func (p *slotPaths) path() string {
	var link string
	day := p.from
	if p.rotate {
		link = p.links[int(p.next.Add(1)-1)%len(p.links)]
	} else {
		link = p.links[rand.IntN(len(p.links))]
		day = p.from.Add(time.Duration(rand.IntN(21)) * 24 * time.Hour)
	}
	return fmt.Sprintf("/api/v1/book/%s/slots?from=%s&to=%s&tz=%s", link,
		day.Format(time.RFC3339), day.Add(time.Duration(p.days)*24*time.Hour).Format(time.RFC3339), url.QueryEscape(p.tz))
}

func slotFlags(fs *flag.FlagSet) (linksFile *string, days *int, rotate *bool, tz *string) {
	linksFile = fs.String("links", "links.txt", "file of booking links")
	days = fs.Int("window-days", 7, "days per slot request")
	rotate = fs.Bool("rotate", false, "take the links in turn with a window from the next hour (else random links and start days)")
	tz = fs.String("tz", "America/Toronto", "zone the slots are asked in")
	return
}

func newSlotPaths(linksFile string, days int, rotate bool, tz string) (*slotPaths, error) {
	links, err := readLinks(linksFile)
	if err != nil {
		return nil, err
	}
	from := time.Now().UTC().Truncate(time.Hour).Add(time.Hour)
	if !rotate {
		from = from.Add(23 * time.Hour)
	}
	return &slotPaths{links: links, days: days, rotate: rotate, tz: tz, from: from}, nil
}

// paths writes the rotating request paths, one a line, for wrk's script
// (cmd/loadgen/slots.lua).
func paths(args []string) error {
	fs := flag.NewFlagSet("paths", flag.ExitOnError)
	linksFile, days, _, tz := slotFlags(fs)
	out := fs.String("out", "paths.txt", "file to write")
	fs.Parse(args)
	p, err := newSlotPaths(*linksFile, *days, true, *tz)
	if err != nil {
		return err
	}
	var b strings.Builder
	for range p.links {
		b.WriteString(p.path())
		b.WriteByte('\n')
	}
	return os.WriteFile(*out, []byte(b.String()), 0o600)
}

// slots asks for slots. With -rate N it is an open loop: requests leave on
// a fixed schedule whatever the latency, and latency counts from the
// scheduled instant, so a stalled server cannot hide its queue. With
// -rate 0 it is a closed loop of -connections clients as fast as the
// server answers (the most requests per second).
func slots(args []string) error {
	fs := flag.NewFlagSet("slots", flag.ExitOnError)
	base := fs.String("base", "http://127.0.0.1:8080", "server")
	linksFile, days, rotate, tz := slotFlags(fs)
	rate := fs.Int("rate", 500, "requests per second (0: as fast as possible)")
	conns := fs.Int("connections", 32, "clients when -rate is 0")
	dur := fs.Duration("duration", 30*time.Second, "duration")
	revalidate := fs.Bool("revalidate", false, "send the ETag of the previous answer of the same path (If-None-Match)")
	pid := fs.Int("pid", 0, "server process id: report its CPU time per answer (from /proc; a figure that other load on the machine moves little)")
	fs.Parse(args)
	p, err := newSlotPaths(*linksFile, *days, *rotate, *tz)
	if err != nil {
		return err
	}
	client := newHTTPClient()
	var (
		mu                 sync.Mutex
		lat, late, sent    []time.Duration
		errs, non200, n304 atomic.Int64
		bytesRead          atomic.Int64
		etags              sync.Map
		wg                 sync.WaitGroup
	)
	do := func(path string, scheduled time.Time) {
		// How late the request leaves: the generator's own delay
		// (scheduling, its GC), counted in the latency all the same.
		l := time.Since(scheduled)
		req, _ := http.NewRequest("GET", *base+path, nil)
		if *revalidate {
			if tag, ok := etags.Load(path); ok {
				req.Header.Set("If-None-Match", tag.(string))
			}
		}
		res, err := client.Do(req)
		if err != nil {
			errs.Add(1)
			return
		}
		nb, _ := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		d := time.Since(scheduled)
		bytesRead.Add(nb)
		switch res.StatusCode {
		case 200:
			if *revalidate {
				etags.Store(path, res.Header.Get("ETag"))
			}
		case 304:
			n304.Add(1)
		default:
			non200.Add(1)
		}
		mu.Lock()
		lat = append(lat, d)
		late = append(late, l)
		sent = append(sent, d-l)
		mu.Unlock()
	}
	cpu0 := cpuTime(*pid)
	t0 := time.Now()
	end := t0.Add(*dur)
	if *rate > 0 {
		period := time.Second / time.Duration(*rate)
		for i := 0; ; i++ {
			at := t0.Add(time.Duration(i) * period)
			if at.After(end) {
				break
			}
			time.Sleep(time.Until(at))
			wg.Add(1)
			go func(path string) { defer wg.Done(); do(path, at) }(p.path())
		}
	} else {
		for range *conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Now().Before(end) {
					do(p.path(), time.Now())
				}
			}()
		}
	}
	wg.Wait()
	el := time.Since(t0)
	s := percentiles(lat)
	mode := fmt.Sprintf("paced %d/s", *rate)
	if *rate == 0 {
		mode = fmt.Sprintf("closed loop, %d connections", *conns)
	}
	fmt.Printf("slots (%s, %d-day windows): %d answers in %s = %.0f/s, %.1f KB/answer: p50 %s  p90 %s  p99 %s  max %s  errors %d  non-200/304 %d  304 %d\n",
		mode, *days, len(lat), el.Round(time.Millisecond), float64(len(lat))/el.Seconds(), float64(bytesRead.Load())/float64(max(1, len(lat)))/1024,
		s.p50, s.p90, s.p99, s.max, errs.Load(), non200.Load(), n304.Load())
	if *rate > 0 {
		l := percentiles(late)
		fmt.Printf("sent late (the generator's own delay, part of the latency above): p50 %s  p90 %s  p99 %s  max %s\n", l.p50, l.p90, l.p99, l.max)
		r := percentiles(sent)
		fmt.Printf("from sending to the whole answer read (without that delay): p50 %s  p90 %s  p99 %s  max %s\n", r.p50, r.p90, r.p99, r.max)
	}
	if *pid > 0 && len(lat) > 0 {
		used := cpuTime(*pid) - cpu0
		fmt.Printf("server CPU: %s in all, %.0f µs per answer (at most %.0f answers/s per core)\n",
			used.Round(time.Millisecond), float64(used.Microseconds())/float64(len(lat)), float64(len(lat))/used.Seconds())
	}
	return nil
}

// book runs closed-loop bookers. With -per-link, every link books once (a
// mentee link holds one upcoming session): the free slots are read before
// the clock starts, and link k (mentor k mod -mentors, as setup writes
// them) takes a different slot than the other mentees of its mentor, so
// bookings rarely collide and the figure is the booking path's own.
// Without it, each booker takes a mentor's free slots one after another
// (public links, as in issue 6).
func book(args []string) error {
	fs := flag.NewFlagSet("book", flag.ExitOnError)
	base := fs.String("base", "http://127.0.0.1:8080", "server")
	linksFile := fs.String("links", "links.txt", "links")
	conc := fs.Int("concurrency", 32, "concurrent bookers")
	dur := fs.Duration("duration", 20*time.Second, "duration")
	perLink := fs.Bool("per-link", false, "mentee links: each link books once")
	mentors := fs.Int("mentors", 200, "mentors behind the links (with -per-link)")
	first := fs.Int("first", 0, "index of the first link to use (with -per-link: links before it were booked by an earlier run)")
	count := fs.Int("count", 0, "links to use (0: all from -first on)")
	pid := fs.Int("pid", 0, "server process id: report its CPU time per booking (from /proc), counted from the clock's start so the slot reads before it are left out")
	drainDB := fs.String("drain-db", "", "the server's database URL: after the bookings, wait until the jobs they enqueued (mails) have run, and report the CPU per booking with them")
	pgPid := fs.Int("pg-pid", 0, "PostgreSQL's postmaster process id: report its and its backends' CPU time per booking too (from /proc)")
	fs.Parse(args)
	links, err := readLinks(*linksFile)
	if err != nil {
		return err
	}
	if *first > 0 || *count > 0 {
		if *first%*mentors != 0 && *perLink {
			return fmt.Errorf("-first must be a multiple of -mentors, so link k still belongs to mentor k mod -mentors")
		}
		end := len(links)
		if *count > 0 {
			end = min(end, *first+*count)
		}
		links = links[min(*first, end):end]
	}
	client := newHTTPClient()
	var ok, conflict, failed atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	post := func(link, start, email string) {
		body, _ := json.Marshal(map[string]string{"start": start, "name": "Load", "email": email})
		t1 := time.Now()
		res, err := client.Post(*base+"/api/v1/book/"+link+"/bookings", "application/json", bytes.NewReader(body))
		if err != nil {
			failed.Add(1)
			return
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
	var plan []string // with -per-link: the start each link books
	if *perLink {
		plan = make([]string, len(links))
		free := map[int][]string{}
		for k, link := range links {
			m := k % *mentors
			if _, seen := free[m]; !seen {
				free[m] = freeStarts(client, *base, link)
			}
			if f := free[m]; len(f) > 0 {
				// Spread a mentor's mentees over its free slots.
				plan[k] = f[(k / *mentors * 7)%len(f)]
			}
		}
	}
	cpu0, pg0 := cpuTime(*pid), treeCPU(*pgPid)
	t0 := time.Now()
	end := t0.Add(*dur)
	for w := range *conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for li := w; li < len(links) && time.Now().Before(end); li += *conc {
				if *perLink {
					if plan[li] != "" {
						post(links[li], plan[li], "")
					}
					continue
				}
				for n, start := range freeStarts(client, *base, links[li]) {
					if time.Now().After(end) {
						return
					}
					post(links[li], start, fmt.Sprintf("l%d-%d@example.org", li, n))
				}
			}
		}()
	}
	wg.Wait()
	el := time.Since(t0)
	p := percentiles(lat)
	fmt.Printf("bookings (%d bookers): %d created in %s = %.0f/s (409: %d, failed: %d); latency p50 %s p99 %s\n",
		*conc, ok.Load(), el.Round(time.Millisecond), float64(ok.Load())/el.Seconds(), conflict.Load(), failed.Load(), p.p50, p.p99)
	if *pid > 0 && ok.Load() > 0 {
		// The jobs a booking enqueues (mails) may still run after the
		// clock stops: this counts the booking path and the jobs run so far.
		used := cpuTime(*pid) - cpu0
		fmt.Printf("server CPU: %s in all, %.0f µs per booking\n", used.Round(time.Millisecond), float64(used.Microseconds())/float64(ok.Load()))
	}
	if *drainDB != "" && ok.Load() > 0 {
		t1 := time.Now()
		if err := drainJobs(*drainDB, 2*time.Minute); err != nil {
			return err
		}
		perBooking := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(ok.Load()) }
		fmt.Printf("jobs done %s after the last booking", time.Since(t1).Round(time.Millisecond))
		if *pid > 0 {
			fmt.Printf("; CPU per booking with them: server %.0f µs", perBooking(cpuTime(*pid)-cpu0))
		}
		if *pgPid > 0 {
			fmt.Printf(", PostgreSQL %.0f µs", perBooking(treeCPU(*pgPid)-pg0))
		}
		fmt.Println()
	}
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
