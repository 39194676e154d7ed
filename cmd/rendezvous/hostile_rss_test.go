package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/providers/caldav/caldavtest"
)

// maxServiceRSS is the most memory the service may hold, at its peak,
// whatever a calendar server sends it (issue 13).
const maxServiceRSS = 300 << 20

// TestServiceRSSAgainstHostileCalendars runs the real binary, as its own
// process, against each hostile calendar server: a mentor connects it and
// syncs it twice. The service must answer with a clear status (never a
// 5xx other than 502 for an unreachable server), log a bounded number of
// lines, and keep its peak resident memory (VmHWM) under 300 MB.
//
// Figures: go test -run TestServiceRSSAgainstHostileCalendars -v ./cmd/rendezvous/
func TestServiceRSSAgainstHostileCalendars(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("peak RSS is read from /proc (Linux)")
	}
	bin := buildService(t)
	start := time.Now().Add(24 * time.Hour).Truncate(time.Hour)
	for _, tc := range []struct {
		name    string
		opts    caldavtest.HostileOptions
		connect int // the connect's status
		// syncs is whether the connection exists to sync afterwards.
		syncs bool
	}{
		{"40,000 nested components", caldavtest.HostileOptions{Objects: 1, Object: caldavtest.DeepNesting(40_000)}, 422, false},
		{"1,000,000 flat components (14 MB object)", caldavtest.HostileOptions{Objects: 1, Object: caldavtest.FlatComponents(1_000_000)}, 422, false},
		{"700,000 flat components (10 MB object)", caldavtest.HostileOptions{Objects: 1, Object: caldavtest.FlatComponents(700_000)}, 422, false},
		{"FREQ=SECONDLY in 200 objects", caldavtest.HostileOptions{Objects: 200, Object: caldavtest.Secondly(start)}, 422, false},
		{"500 calendars with 100 KB names", caldavtest.HostileOptions{Calendars: 500, NameBytes: 100 << 10}, 422, false},
		{"slow success (answers after 35 s)", caldavtest.HostileOptions{Delay: 35 * time.Second}, 502, false},
		{"100,000 events at 480 times", caldavtest.HostileOptions{Objects: 100_000, Object: caldavtest.SameTimes(start, 480)}, 201, true},
		{"20 objects of 1,000 broken events", caldavtest.HostileOptions{Objects: 20, Object: caldavtest.Broken(1000)}, 201, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := caldavtest.StartHostile(t, tc.opts)
			svc := startServiceProcess(t, bin)
			admin := client{t: t, base: svc.base, token: svc.adminToken}
			m := createMentor(t, admin, nil)
			as := client{t: t, base: svc.base, token: m.Token}
			var conn struct {
				ID        string `json:"id"`
				Calendars []struct {
					ID string `json:"id"`
				} `json:"calendars"`
				Code   string `json:"code"`
				Detail string `json:"detail"`
			}
			began := time.Now()
			st := as.do("POST", "/api/v1/mentors/"+m.ID+"/connections",
				map[string]string{"provider": "caldav", "url": h.URL, "username": "", "password": ""}, &conn)
			took := time.Since(began)
			if st != tc.connect {
				t.Fatalf("connect = %d %s %q, want %d", st, conn.Code, conn.Detail, tc.connect)
			}
			var busy []int
			if tc.syncs {
				for range 2 {
					var res struct {
						Calendars []struct {
							Status        string `json:"status"`
							BusyIntervals int    `json:"busy_intervals"`
						} `json:"calendars"`
					}
					if st := as.do("POST", "/api/v1/mentors/"+m.ID+"/sync", nil, &res); st != 200 || len(res.Calendars) != 1 {
						t.Fatalf("sync = %d %+v", st, res)
					}
					busy = append(busy, res.Calendars[0].BusyIntervals)
				}
			}
			peak := svc.peakRSS(t)
			t.Logf("peak RSS %.1f MB; connect %d in %s (%s); busy intervals after syncs %v; %d log lines",
				float64(peak)/(1<<20), st, took.Round(time.Millisecond), conn.Detail, busy, svc.lines.Load())
			if peak > maxServiceRSS {
				t.Errorf("peak RSS %d MB, over %d MB", peak>>20, maxServiceRSS>>20)
			}
			if n := svc.lines.Load(); n > 50 {
				t.Errorf("%d log lines", n)
			}
		})
	}
}

var (
	serviceBinOnce sync.Once
	serviceBin     string
	serviceBinErr  error
)

// buildService builds this program without the race detector (its memory
// is what is measured), once per test binary.
func buildService(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the go tool is needed to build the service for its RSS test")
		}
		t.Skip("the go tool is not on PATH: cannot build the service to measure it")
	}
	serviceBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "rendezvous-rss-")
		if err != nil {
			serviceBinErr = err
			return
		}
		serviceBin = filepath.Join(dir, "rendezvous")
		out, err := exec.Command(goTool, "build", "-o", serviceBin, ".").CombinedOutput()
		if err != nil {
			serviceBinErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if serviceBinErr != nil {
		t.Fatal(serviceBinErr)
	}
	return serviceBin
}

// serviceProcess is a running `rendezvous serve`.
type serviceProcess struct {
	cmd        *exec.Cmd
	base       string
	adminToken string
	lines      atomic.Int64 // log lines written after start
}

const rssAdminToken = "admin-token-for-the-rss-tests-0123456789"

func startServiceProcess(t *testing.T, bin string) *serviceProcess {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(),
		"RENDEZVOUS_DATABASE_URL=sqlite://"+filepath.Join(dir, "rendezvous.db"),
		"RENDEZVOUS_DATA_DIR="+filepath.Join(dir, "data"),
		"RENDEZVOUS_ADDR=127.0.0.1:0",
		"RENDEZVOUS_ADMIN_TOKEN="+rssAdminToken,
		"RENDEZVOUS_ALLOW_PRIVATE_HOSTS=true",
		"RENDEZVOUS_RATE_LIMIT=0",
		"RENDEZVOUS_LOG_LEVEL=warn",
	)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serviceProcess{cmd: cmd, adminToken: rssAdminToken}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var head bytes.Buffer
	for sc.Scan() {
		line := sc.Text()
		head.WriteString(line + "\n")
		if v, ok := strings.CutPrefix(line, "listening on "); ok {
			p.base = strings.TrimSpace(v)
			break
		}
	}
	if p.base == "" {
		t.Fatalf("serve did not start:\n%s", head.String())
	}
	go func() {
		for sc.Scan() {
			p.lines.Add(1)
		}
		io.Copy(io.Discard, out)
	}()
	return p
}

// peakRSS reads the process's peak resident set size (VmHWM).
func (p *serviceProcess) peakRSS(t *testing.T) int64 {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc status")
	return 0
}
