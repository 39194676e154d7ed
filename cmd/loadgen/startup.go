package main

import (
	"bufio"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// startup runs `rendezvous serve` on a fresh SQLite database, times exec
// to the first 200 from /readyz, then reads the idle RSS after a pause.
func startup(args []string) error {
	fs := flag.NewFlagSet("startup", flag.ExitOnError)
	bin := fs.String("bin", "./rendezvous", "rendezvous binary")
	runs := fs.Int("runs", 10, "runs")
	idle := fs.Duration("idle", 5*time.Second, "idle time before reading RSS")
	fs.Parse(args)
	var times []time.Duration
	var rss []int
	for i := range *runs {
		dir, err := os.MkdirTemp("", "rdv-startup")
		if err != nil {
			return err
		}
		addr := fmt.Sprintf("127.0.0.1:%d", 18500+i)
		cmd := exec.Command(*bin, "serve", "--addr", addr, "--database-url", "sqlite://"+filepath.Join(dir, "db.sqlite"), "--data-dir", dir)
		cmd.Stdout, cmd.Stderr = nil, nil
		start := time.Now()
		if err := cmd.Start(); err != nil {
			return err
		}
		var ready time.Duration
		for ready == 0 && time.Since(start) < 10*time.Second {
			res, err := http.Get("http://" + addr + "/readyz")
			if err == nil {
				res.Body.Close()
				if res.StatusCode == 200 {
					ready = time.Since(start)
				}
			}
			time.Sleep(time.Millisecond)
		}
		if i == 0 {
			time.Sleep(*idle)
			rss = append(rss, rssKB(cmd.Process.Pid))
		}
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		os.RemoveAll(dir)
		if ready == 0 {
			return fmt.Errorf("run %d: not ready after 10s", i)
		}
		times = append(times, ready)
	}
	p := percentiles(times)
	fmt.Printf("startup to ready /readyz over %d runs: min %s  p50 %s  max %s\n", len(times), p.min, p.p50, p.max)
	fmt.Printf("idle RSS after %s: %.1f MB\n", *idle, float64(rss[0])/1024)
	return nil
}

func rssKB(pid int) int {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			var kb int
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
			return kb
		}
	}
	return 0
}

// cpuTime is a process's user and system CPU time so far (0 without a
// process), from /proc/PID/stat in clock ticks of 10 ms.
func cpuTime(pid int) time.Duration {
	if pid <= 0 {
		return 0
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name may hold spaces: fields count from its closing ")".
	fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
	if len(fields) < 13 {
		return 0
	}
	var utime, stime int64
	fmt.Sscan(fields[11], &utime)
	fmt.Sscan(fields[12], &stime)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}
