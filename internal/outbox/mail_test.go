package outbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
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
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
	"github.com/rendezvous/rendezvous/providers/mail"
)

// smtpStub is the SMTP side: it counts what it accepted per recipient and
// refuses whom it is told to.
type smtpStub struct {
	mu       sync.Mutex
	accepted map[string]int
	offered  map[string]int    // recipient → mails offered, accepted or not
	ids      map[string]string // recipient → Message-ID
	refuse   map[string]error
}

func (s *smtpStub) Send(_ context.Context, m mail.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offered[m.To.Email]++
	if err := s.refuse[m.To.Email]; err != nil {
		return err
	}
	s.accepted[m.To.Email]++
	s.ids[m.To.Email] = m.MessageID
	return nil
}

const (
	menteeEmail = "ada@example.org"
	mentorEmail = "grace@example.org"
)

var (
	permanent = fmt.Errorf("550 mailbox unavailable: %w", mail.ErrRefused)
	temporary = errors.New("451 try again later")
)

type noticeRig struct {
	smtp   *smtpStub
	notice *noticeMailsWorker
	args   jobs.NoticeMailsArgs
}

// newNoticeRig builds a confirmation's notice job as it is stored (through
// JSON) and the workers that send it through the log of sent mails on s.
func newNoticeRig(t *testing.T, s *store.Store) *noticeRig {
	t.Helper()
	box, err := secret.NewBox(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse("https://rdv.example.org")
	o := New(s, box, links.New(base), nil, Options{})
	start := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	mentorID := "m1"
	b := &store.Booking{ID: "b1", UID: "b1@rendezvous", MentorID: mentorID, MenteeID: "e1", StartAt: start, EndAt: start.Add(time.Hour),
		Status: store.StatusConfirmed, ManageTokenSealed: box.SealString("manage-secret-token"), CreatedAt: start.Add(-48 * time.Hour), UpdatedAt: start.Add(-48 * time.Hour)}
	mentor := &store.Mentor{ID: mentorID, Name: "Grace", Email: mentorEmail, Timezone: "Europe/Paris", Language: "fr"}
	mentee := &store.Mentee{ID: "e1", MentorID: &mentorID, Name: "Ada", Email: menteeEmail, Timezone: "Asia/Kolkata", Language: "en", Status: store.MenteeActive,
		LinkTokenSealed: box.SealString("own-link-secret")}
	params, err := o.Mails(Notice{Booking: b, Mentor: mentor, Mentee: mentee, Event: EventConfirmed})
	if err != nil {
		t.Fatal(err)
	}
	if len(params) != 1 {
		t.Fatalf("a notice enqueues %d jobs, want one", len(params))
	}
	stored, err := json.Marshal(params[0].Args)
	if err != nil {
		t.Fatal(err)
	}
	for _, secretText := range []string{"manage-secret-token", "own-link-secret"} {
		if strings.Contains(string(stored), secretText) {
			t.Fatalf("the notice job holds a token in clear: %s", stored)
		}
	}
	r := &noticeRig{smtp: &smtpStub{accepted: map[string]int{}, offered: map[string]int{}, ids: map[string]string{}, refuse: map[string]error{}}}
	if err := json.Unmarshal(stored, &r.args); err != nil {
		t.Fatal(err)
	}
	if r.args.Mails, err = r.args.Open(box); err != nil {
		t.Fatal(err)
	}
	if len(r.args.Mails) != 2 || r.args.Mails[0].ToMentor || !r.args.Mails[1].ToMentor || r.args.Version != jobs.ArgsVersion ||
		r.args.Mails[0].Version != jobs.MailArgsVersion {
		t.Fatalf("notice job read back: %+v", r.args)
	}
	one := &mailWorker{sender: maillog.New(r.smtp, s, nil), from: calendar.Person{Name: "Rendezvous", Email: "noreply@rdv.example.org"},
		logger: o.logger, box: box, links: o.links}
	r.notice = &noticeMailsWorker{mail: one}
	return r
}

// run runs the notice job's attempt.
func (r *noticeRig) run(attempt int) error {
	return r.notice.Work(context.Background(), &river.Job[jobs.NoticeMailsArgs]{
		JobRow: &rivertype.JobRow{ID: 1, Kind: r.args.Kind(), Attempt: attempt, MaxAttempts: 20}, Args: r.args})
}

func (r *noticeRig) accepted(t *testing.T, mentee, mentor int) {
	t.Helper()
	r.smtp.mu.Lock()
	defer r.smtp.mu.Unlock()
	if r.smtp.accepted[menteeEmail] != mentee || r.smtp.accepted[mentorEmail] != mentor {
		t.Fatalf("accepted %v, want mentee %d, mentor %d", r.smtp.accepted, mentee, mentor)
	}
}

// forget empties the log of sent mails, for a test's next case.
func forget(t *testing.T, s *store.Store) {
	t.Helper()
	if _, err := s.SQLDB().Exec("DELETE FROM sent_mail"); err != nil {
		t.Fatal(err)
	}
}

func cancelled(err error) bool {
	var c *rivertype.JobCancelError
	return errors.As(err, &c)
}

// TestNoticeMailsBothSentOnce: one job mails both parties, each once, even
// when it runs again (a job rescued after a kill -9 before River recorded
// its completion).
func TestNoticeMailsBothSentOnce(t *testing.T) {
	storetest.EachStore(t, func(t *testing.T, s *store.Store) {
		r := newNoticeRig(t, s)
		if err := r.run(1); err != nil {
			t.Fatal(err)
		}
		r.accepted(t, 1, 1)
		if r.smtp.ids[menteeEmail] == r.smtp.ids[mentorEmail] || r.smtp.ids[menteeEmail] == "" {
			t.Fatalf("Message-IDs must differ per recipient: %v", r.smtp.ids)
		}
		for attempt := 1; attempt <= 2; attempt++ {
			if err := r.run(attempt); err != nil {
				t.Fatal(err)
			}
		}
		r.accepted(t, 1, 1)
	})
}

// TestNoticeMailsPermanentRefusal: a mail refused permanently is given up
// without holding back the other, and the job is done; only when every
// mail is refused is the job cancelled.
func TestNoticeMailsPermanentRefusal(t *testing.T) {
	storetest.EachStore(t, func(t *testing.T, s *store.Store) {
		r := newNoticeRig(t, s)
		r.smtp.refuse[menteeEmail] = permanent
		if err := r.run(1); err != nil {
			t.Fatalf("one mail refused for good, the other sent: the job is done, got %v", err)
		}
		r.accepted(t, 0, 1)

		forget(t, s)
		r = newNoticeRig(t, s)
		r.smtp.refuse[mentorEmail], r.smtp.refuse[menteeEmail] = permanent, permanent
		if err := r.run(1); !cancelled(err) || !mail.IsPermanent(err) {
			t.Fatalf("both refused for good: want the job cancelled, got %v", err)
		}
		r.accepted(t, 0, 0)
	})
}

// TestNoticeMailsTemporaryRefusal: a mail refused for now fails the job,
// after the other was sent; the retry sends only the refused one.
func TestNoticeMailsTemporaryRefusal(t *testing.T) {
	storetest.EachStore(t, func(t *testing.T, s *store.Store) {
		for _, refused := range []string{menteeEmail, mentorEmail} {
			t.Run(refused, func(t *testing.T) {
				forget(t, s)
				r := newNoticeRig(t, s)
				r.smtp.refuse[refused] = temporary
				err := r.run(1)
				if err == nil || cancelled(err) || mail.IsPermanent(err) {
					t.Fatalf("a temporary refusal must fail the job for a retry, got %v", err)
				}
				other := map[string]int{menteeEmail: 1, mentorEmail: 1}
				other[refused] = 0
				r.accepted(t, other[menteeEmail], other[mentorEmail])

				delete(r.smtp.refuse, refused)
				if err := r.run(2); err != nil {
					t.Fatal(err)
				}
				r.accepted(t, 1, 1)
			})
		}
	})
}

// TestNoticeMailsMixedRefusals: one mail refused for good and the other
// for now: the job is retried until the other goes out, then done, and
// the refused mail is not offered to the server again at each retry.
func TestNoticeMailsMixedRefusals(t *testing.T) {
	storetest.EachStore(t, func(t *testing.T, s *store.Store) {
		r := newNoticeRig(t, s)
		r.smtp.refuse[menteeEmail], r.smtp.refuse[mentorEmail] = permanent, temporary
		if err := r.run(1); err == nil || cancelled(err) {
			t.Fatalf("want a retry, got %v", err)
		}
		r.accepted(t, 0, 0)
		if err := r.run(2); err == nil || cancelled(err) {
			t.Fatalf("want another retry, got %v", err)
		}
		delete(r.smtp.refuse, mentorEmail)
		if err := r.run(3); err != nil {
			t.Fatalf("the mentor's mail sent, the mentee's refused for good: done, got %v", err)
		}
		r.accepted(t, 0, 1)
		if n := r.smtp.offered[menteeEmail]; n != 1 {
			t.Errorf("the mail refused for good was offered %d times over three attempts, want once", n)
		}
		if n := r.smtp.offered[mentorEmail]; n != 3 {
			t.Errorf("the mail refused for now was offered %d times, want at each of the three attempts", n)
		}
	})
}

// TestSingleMailJobStillRuns: the mail kind, for single mails and for the
// notices' jobs queued before the upgrade, sends as before, and a
// permanent refusal cancels it.
func TestSingleMailJobStillRuns(t *testing.T) {
	storetest.EachStore(t, func(t *testing.T, s *store.Store) {
		r := newNoticeRig(t, s)
		run := func(a jobs.MailArgs) error {
			return r.notice.mail.Work(context.Background(), &river.Job[jobs.MailArgs]{
				JobRow: &rivertype.JobRow{ID: 2, Kind: a.Kind(), Attempt: 1, MaxAttempts: 20}, Args: a})
		}
		if err := run(r.args.Mails[0]); err != nil {
			t.Fatal(err)
		}
		if err := run(r.args.Mails[0]); err != nil {
			t.Fatal(err)
		}
		r.accepted(t, 1, 0)
		r.smtp.refuse[mentorEmail] = permanent
		if err := run(r.args.Mails[1]); !cancelled(err) {
			t.Fatalf("a permanent refusal cancels a single mail's job, got %v", err)
		}
		// The notice's job then sends nothing twice, and does not offer
		// the mail refused for good again.
		delete(r.smtp.refuse, mentorEmail)
		if err := r.run(1); err != nil {
			t.Fatal(err)
		}
		r.accepted(t, 1, 0)
		if n := r.smtp.offered[mentorEmail]; n != 1 {
			t.Errorf("the mail refused for good was offered %d times, want once", n)
		}
	})
}
