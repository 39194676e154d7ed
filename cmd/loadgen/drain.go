package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/rendezvous/rendezvous/internal/store"
)

// drainJobs waits until the server's database holds no job left to run
// but scheduled reminders (the mails the bookings enqueued are sent), at
// most limit: the CPU counted after it is the bookings' whole work.
func drainJobs(dbURL string, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		return fmt.Errorf("open %s: %w", dbURL, err)
	}
	defer db.Close()
	for {
		var left int
		err := db.SQLDB().QueryRowContext(ctx, `SELECT COUNT(*) FROM river_job
			WHERE state IN ('available', 'running', 'retryable') AND kind <> 'reminder'`).Scan(&left)
		if err != nil {
			return fmt.Errorf("count the jobs left: %w", err)
		}
		if left == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%d jobs still to run after %s", left, limit)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// treeCPU is the CPU time of pid and its children (PostgreSQL's
// postmaster and its backends), from /proc: the living children's, and
// the exited ones' that pid reaped (autovacuum and parallel workers
// started and gone between two readings included).
func treeCPU(pid int) time.Duration {
	if pid <= 0 {
		return 0
	}
	total := cpuTime(pid) + reapedCPU(pid)
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return total
	}
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			total += cpuTime(child)
		}
	}
	return total
}

// reapedCPU is the CPU time of pid's children that exited and were waited
// for (cutime and cstime in /proc/pid/stat).
func reapedCPU(pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
	if len(fields) < 15 {
		return 0
	}
	var cutime, cstime int64
	fmt.Sscan(fields[13], &cutime)
	fmt.Sscan(fields[14], &cstime)
	return time.Duration(cutime+cstime) * 10 * time.Millisecond
}
