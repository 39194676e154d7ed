package engage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/internal/jobs"
	"github.com/rendezvous/rendezvous/internal/links"
	"github.com/rendezvous/rendezvous/internal/maillog"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
	"github.com/rendezvous/rendezvous/providers/mail"
)

// counting is an SMTP server stand-in: it keeps what it accepted, or
// refuses with fail.
type counting struct {
	mu   sync.Mutex
	sent []mail.Message
	fail error
}

func (c *counting) Send(_ context.Context, m mail.Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fail != nil {
		return c.fail
	}
	c.sent = append(c.sent, m)
	return nil
}

// TestMailWorkerSendsOnce: a welcome job run again (a process killed after
// the send, its job rescued) is not mailed twice, its Message-ID being
// stable; a sign-in link expired before delivery, a link sealed under
// another key and a permanent refusal end the job; a temporary failure is
// retried.
func TestMailWorkerSendsOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		ctx := context.Background()
		box, _ := secret.NewBox(bytes.Repeat([]byte{7}, 32))
		other, _ := secret.NewBox(bytes.Repeat([]byte{8}, 32))
		base, _ := url.Parse("https://rdv.example.org")
		smtp := &counting{}
		now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		st := storetest.Open(t, db)
		s := New(st, box, links.New(base), nil, Options{Mailer: maillog.New(smtp, st, nil), Now: func() time.Time { return now },
			From: calendar.Person{Name: "Rendezvous", Email: "no-reply@example.org"}})
		w := &mailWorker{svc: s}
		expires := now.Add(WelcomeLinkLifetime)
		args := jobs.PeopleMailArgs{Mail: mailMentorWelcome, Event: "mentor:m1", MentorID: "m1", ToName: "Grace", ToEmail: "grace@example.org",
			Language: "en", Timezone: "Europe/Paris", LinkSealed: box.SealString("https://rdv.example.org/mentor/signin/tok"), LinkExpires: &expires}
		run := func(a jobs.PeopleMailArgs) error {
			return w.Work(ctx, &river.Job[jobs.PeopleMailArgs]{JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 20}, Args: a})
		}
		for range 2 {
			if err := run(args); err != nil {
				t.Fatal(err)
			}
		}
		if len(smtp.sent) != 1 || smtp.sent[0].MessageID == "" {
			t.Fatalf("a job run twice sent %d mails", len(smtp.sent))
		}
		cancelled := func(what string, err error) {
			t.Helper()
			var c *river.JobCancelError
			if !errors.As(err, &c) {
				t.Errorf("%s: %v, want the job cancelled", what, err)
			}
		}
		late := args
		late.Event, late.LinkExpires = "mentor:m2", &now
		cancelled("an expired sign-in link", run(late))
		foreign := args
		foreign.Event, foreign.LinkSealed = "mentor:m3", other.SealString("https://rdv.example.org/mentor/signin/x")
		cancelled("a link sealed under another key", run(foreign))
		smtp.fail = fmt.Errorf("550 no such user: %w", mail.ErrRefused)
		refused := args
		refused.Event = "mentor:m4"
		cancelled("a permanent refusal", run(refused))
		smtp.fail = errors.New("421 try later")
		// Refused for good, it stays so: the job is cancelled again
		// without the server's new answer being asked for.
		cancelled("a mail refused for good before", run(refused))
		later := args
		later.Event = "mentor:m5"
		var c *river.JobCancelError
		if err := run(later); err == nil || errors.As(err, &c) {
			t.Errorf("a temporary failure: %v, want an error to retry", err)
		}
		if len(smtp.sent) != 1 {
			t.Errorf("%d mails sent, want 1", len(smtp.sent))
		}
	})
}
