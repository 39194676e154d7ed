package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	"github.com/rendezvous/rendezvous/internal/jobs"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
	"github.com/rendezvous/rendezvous/providers/caldav/caldavtest"
	"github.com/rendezvous/rendezvous/providers/mail/smtptest"
)

// The crash tests run the real binary and kill it with SIGKILL: nothing
// in the process gets to clean up, as after a power cut or an OOM kill.

var (
	buildOnce sync.Once
	builtPath string
	buildErr  error
)

// binary builds cmd/rendezvous once for the test run.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "rendezvous-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtPath = filepath.Join(dir, "rendezvous")
		out, err := exec.Command("go", "build", "-o", builtPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtPath
}

// process is a `rendezvous serve` child process.
type process struct {
	cmd  *exec.Cmd
	base string
	logs *lockedBuffer
}

func startProcess(t *testing.T, env map[string]string) *process {
	t.Helper()
	cmd := exec.Command(binary(t), "serve")
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	logs := &lockedBuffer{}
	cmd.Stderr = logs
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, logs: logs}
	t.Cleanup(func() { p.kill() })
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "listening on "); ok {
			p.base = v
			break
		}
	}
	if p.base == "" {
		t.Fatalf("serve did not start:\n%s", logs.String())
	}
	go io.Copy(io.Discard, stdout)
	return p
}

// kill sends SIGKILL and reaps the process.
func (p *process) kill() {
	if p.cmd.ProcessState != nil {
		return
	}
	p.cmd.Process.Kill()
	p.cmd.Wait()
}

// crashEnv is the configuration both lives of a crashed service share.
func crashEnv(t *testing.T, db storetest.Database, extra map[string]string) map[string]string {
	env := map[string]string{
		"RENDEZVOUS_DATABASE_URL": db.URL, "RENDEZVOUS_DATA_DIR": filepath.Join(t.TempDir(), "data"),
		"RENDEZVOUS_ADDR": "127.0.0.1:0", "RENDEZVOUS_RATE_LIMIT": "0", "RENDEZVOUS_ADMIN_TOKEN": testAdminToken,
		"RENDEZVOUS_SECRET_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", "RENDEZVOUS_LOG_LEVEL": "info",
	}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

// TestKillDuringMailDelivery kills the service while it delivers twenty
// invites and starts it again: every mail arrives, and only a mail the
// server took whose send the killed process had not yet recorded (one at
// most per worker delivering at the kill) arrives twice. Without the log
// of sent mails, jobs whose mail went out but whose completion was not
// yet written are rescued and send again.
func TestKillDuringMailDelivery(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the binary")
	}
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		smtp := smtptest.StartServer(t, smtptest.Options{Delay: 100 * time.Millisecond})
		// No reminders: the first session starts a day from now, so its
		// 24-hour reminder could fall due during the test and add mails.
		env := crashEnv(t, db, map[string]string{"RENDEZVOUS_SMTP_URL": smtp.URL(), "RENDEZVOUS_JOB_TIMEOUT": "3s", "RENDEZVOUS_REMINDERS": ""})
		first := startProcess(t, env)
		admin := client{t: t, base: first.base, token: testAdminToken}
		m := createMentor(t, admin, nil)
		anon := client{t: t, base: first.base}
		link := linkOf(*m.BookingURL)
		slots := slotsOf(t, anon, link, "Europe/Paris")
		const bookings = 10
		for i := 0; i < bookings; i++ {
			body := map[string]any{"start": slots[i], "name": fmt.Sprintf("Mentee %d", i), "email": fmt.Sprintf("mentee%d@example.org", i)}
			if st := anon.do("POST", "/api/v1/book/"+link+"/bookings", body, nil); st != 201 {
				t.Fatalf("booking %d: %d", i, st)
			}
		}
		eventually(t, 30*time.Second, "some mails delivered", func() bool { return len(smtp.Messages()) >= 6 })
		first.kill()
		delivered := len(smtp.Messages())
		// The mails the server took whose send the killed process had not
		// recorded yet: SMTP's residue, one at most per worker delivering
		// at the kill. Only these may arrive again.
		unrecorded := map[string]bool{}
		rows := openDB(t, db)
		for _, id := range messageIDs(t, smtp.Messages()) {
			outcome, err := rows.MailOutcomeOf(context.Background(), strings.Trim(id, "<>"))
			if err != nil {
				t.Fatal(err)
			}
			if outcome != store.MailSent {
				unrecorded[id] = true
			}
		}
		// Each of the default queue's workers holds one mail at most
		// between the server's answer and the record of the send.
		if workers := jobs.DefaultMaxWorkers; len(unrecorded) > workers {
			t.Errorf("%d mails taken by the server but not recorded at the kill, want at most one per worker (%d)", len(unrecorded), workers)
		}

		second := startProcess(t, env)
		defer second.kill()
		eventually(t, 90*time.Second, "every invite delivered after the restart", func() bool {
			return len(smtp.Messages()) >= 2*bookings
		})
		time.Sleep(2 * time.Second) // anything still to come would be a duplicate
		ids := map[string]int{}
		for _, id := range messageIDs(t, smtp.Messages()) {
			ids[id]++
		}
		// A repeat is the residue SMTP leaves: a mail the server took in
		// the instant between its answer and the record of the send is sent
		// again, under the same Message-ID (which mail clients fold into
		// one). A mail whose send was recorded never repeats; without the
		// record, every job whose mail went out but whose completion was
		// not written repeats.
		repeats := 0
		for id, n := range ids {
			if n > 1 {
				t.Logf("%s delivered %d times (unrecorded at the kill: %v)", id, n, unrecorded[id])
				repeats += n - 1
				if !unrecorded[id] || n > 2 {
					t.Errorf("%s delivered %d times, though its send was recorded before the kill", id, n)
				}
			}
		}
		if repeats > len(unrecorded) {
			t.Errorf("%d mails delivered again after the restart, want at most the %d the server took but the killed process had not recorded", repeats, len(unrecorded))
		}
		if len(ids) != 2*bookings || len(smtp.Messages()) > 2*bookings+len(unrecorded) {
			t.Errorf("%d mails, %d distinct, want %d each (%d were delivered before the kill)",
				len(smtp.Messages()), len(ids), 2*bookings, delivered)
		}
	})
}

// TestKillDuringSync kills the service while it syncs a calendar whose
// server hangs: the sync it left running does not block that connection
// for long; once the server answers again a new sync succeeds within a
// minute or so (the job is rescued after 1.5 job timeouts, the lease
// expires as soon).
func TestKillDuringSync(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the binary")
	}
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		dav := caldavtest.StartRadicale(t)
		davURL, _ := url.Parse(dav.CalendarURL)
		proxy := startTCPProxy(t, davURL.Host)
		davURL.Host = proxy.addr()
		env := crashEnv(t, db, map[string]string{"RENDEZVOUS_ALLOW_PRIVATE_HOSTS": "true",
			"RENDEZVOUS_SYNC_INTERVAL": "10s", "RENDEZVOUS_JOB_TIMEOUT": "8s"})
		first := startProcess(t, env)
		admin := client{t: t, base: first.base, token: testAdminToken}
		m := createMentor(t, admin, nil)
		var conn struct{ ID string }
		if st := admin.do("POST", "/api/v1/mentors/"+m.ID+"/connections", map[string]any{"provider": "caldav",
			"url": davURL.String(), "username": dav.Username, "password": dav.Password}, &conn); st != 201 {
			t.Fatalf("connect: %d", st)
		}
		inspect := openDB(t, db)
		proxy.setStalled(true)
		eventually(t, 30*time.Second, "a scheduled sync hanging on the calendar server", func() bool {
			return jobCount(t, inspect, "calendar_sync", "running") > 0
		})
		first.kill()
		killed := time.Now()
		proxy.setStalled(false)

		second := startProcess(t, env)
		defer second.kill()
		admin.base = second.base
		waitFor(t, 2*time.Minute, func() bool {
			var list struct {
				Connections []struct {
					LastSuccess *string `json:"last_success"`
				}
			}
			admin.do("GET", "/api/v1/mentors/"+m.ID+"/connections", nil, &list)
			if len(list.Connections) != 1 || list.Connections[0].LastSuccess == nil {
				return false
			}
			at, err := time.Parse(time.RFC3339, *list.Connections[0].LastSuccess)
			return err == nil && at.After(killed)
		}, func() string {
			return "a successful sync after the crash; jobs: " + fmt.Sprint(jobCount(t, inspect, "calendar_sync", "running"),
				" running, ", jobCount(t, inspect, "calendar_sync", "discarded"), " discarded")
		})
		t.Logf("synced again %s after the kill", time.Since(killed).Round(time.Second))
	})
}

// messageIDs are the Message-ID headers of msgs, in order.
func messageIDs(t *testing.T, msgs []smtptest.Message) []string {
	t.Helper()
	var ids []string
	for _, msg := range msgs {
		h, err := mail.CreateReader(strings.NewReader(string(msg.Data)))
		if err != nil {
			t.Fatal(err)
		}
		id, _ := h.Header.MessageID()
		ids = append(ids, id)
	}
	return ids
}
