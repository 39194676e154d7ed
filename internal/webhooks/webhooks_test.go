package webhooks

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// The service on both databases, its worker called directly: the end-to-
// end tests (cmd/rendezvous/webhooks_test.go) run it under River with a
// receiver in Python.

// recordedJobs stands in for the job engine.
type recordedJobs struct {
	mu   sync.Mutex
	args []river.JobArgs
}

func (r *recordedJobs) InsertManyTx(_ context.Context, _ *store.Tx, params []river.InsertManyParams) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range params {
		r.args = append(r.args, p.Args)
	}
	return nil
}

func (r *recordedJobs) of(kind string) []river.JobArgs {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []river.JobArgs
	for _, a := range r.args {
		if a.Kind() == kind {
			out = append(out, a)
		}
	}
	return out
}

type fixture struct {
	t     *testing.T
	store *store.Store
	box   *secret.Box
	jobs  *recordedJobs
}

func newFixture(t *testing.T, db storetest.Database) *fixture {
	box, err := secret.NewBox(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, store: storetest.Open(t, db), box: box, jobs: &recordedJobs{}}
}

func (f *fixture) service(opts Options) *Service {
	if opts.Admins == nil {
		opts.Admins = func(context.Context) ([]calendar.Person, error) {
			return []calendar.Person{{Email: "ops@example.org"}}, nil
		}
	}
	return New(f.store, f.box, f.jobs, opts)
}

// register adds an endpoint for every event.
func (f *fixture) register(s *Service, url string) *WithSecret {
	f.t.Helper()
	var all []string
	for _, e := range EventTypes() {
		all = append(all, e.Name)
	}
	e, err := s.Register(context.Background(), access.AdminToken(), EndpointInput{URL: &url, Events: &all})
	if err != nil {
		f.t.Fatalf("register %s: %v", url, err)
	}
	return e
}

// emitted is the job of an emitted event and the ids of its deliveries.
type emitted struct {
	job        DeliveryArgs
	deliveries []string
}

// emit records one mentee event; ok is false when no job was enqueued.
func (f *fixture) emit(s *Service) (e emitted, ok bool) {
	f.t.Helper()
	before := len(f.jobs.of("webhook_delivery"))
	mentor := "m1"
	m := &store.Mentee{ID: "e1", MentorID: &mentor, Name: "Zoe", Email: "zoe@example.org", Timezone: "Asia/Kathmandu",
		Status: store.MenteeActive, AssignedAt: time.Now()}
	err := f.store.InTx(context.Background(), func(tx *store.Tx) error {
		return s.EmitTx(context.Background(), tx, Mentee(MenteeAssigned, m, nil, nil))
	})
	if err != nil {
		f.t.Fatal(err)
	}
	jobs := f.jobs.of("webhook_delivery")[before:]
	if len(jobs) == 0 {
		return e, false
	}
	if len(jobs) != 1 {
		f.t.Fatalf("%d jobs for one event", len(jobs))
	}
	e.job = jobs[0].(DeliveryArgs)
	ds, err := f.store.PendingWebhookDeliveries(context.Background(), e.job.EventIDs)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, d := range ds {
		e.deliveries = append(e.deliveries, d.ID)
	}
	return e, true
}

// work runs attempt n of a delivery job.
func work(s *Service, args DeliveryArgs, attempt int) error {
	w := &deliveryWorker{svc: s}
	return w.Work(context.Background(), &river.Job[DeliveryArgs]{JobRow: &rivertype.JobRow{Attempt: attempt, MaxAttempts: Attempts + 1}, Args: args})
}

func (f *fixture) delivery(id string) *store.WebhookDelivery {
	f.t.Helper()
	d, err := f.store.WebhookDelivery(context.Background(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	return d
}

// TestSignatureOfTheSpecification checks Sign against the example of the
// Standard Webhooks reference libraries.
func TestSignatureOfTheSpecification(t *testing.T) {
	key, err := secretKey("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		t.Fatal(err)
	}
	got := Sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, []byte(`{"test": 2432232314}`))
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Errorf("signature %s, want %s", got, want)
	}
	s := newSigningSecret()
	raw, _ := strings.CutPrefix(s, "whsec_")
	if b, err := base64.StdEncoding.DecodeString(raw); err != nil || len(b) != 32 {
		t.Errorf("secret %s: %d bytes, %v", s, len(b), err)
	}
}

// TestRetriesSpanMoreThanADay: the waits grow fourfold from 10 s to at
// most 6 h (±10 %), and add up to more than the retry span.
func TestRetriesSpanMoreThanADay(t *testing.T) {
	for _, id := range []string{"a", "b", "01890a5d-d4e5-7f60-8b7c-8d9e0f1a2b3c"} {
		s := schedule{span: 24 * time.Hour}
		var total time.Duration
		for n := 1; n < Attempts; n++ {
			w := s.after(n, id)
			if w != s.after(n, id) {
				t.Fatalf("the wait after attempt %d changes between calls", n)
			}
			if n == 1 && (w < 9*time.Second || w > 11*time.Second) {
				t.Errorf("first wait %s, want about 10s", w)
			}
			if w > 6*time.Hour*11/10 {
				t.Errorf("wait %d is %s, over 6h+10%%", n, w)
			}
			total += w
		}
		if total < 25*time.Hour {
			t.Errorf("retries span %s, want more than a day", total)
		}
	}
}

// TestEndpointURLs: private and loopback addresses are refused unless
// allowed; only absolute http(s) URLs; only admins.
func TestEndpointURLs(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	ctx := context.Background()
	guarded := f.service(Options{})
	events := []string{BookingCreated}
	for _, u := range []string{"http://127.0.0.1:8080/hook", "http://localhost/hook", "https://10.0.0.5/x", "http://[::1]/", "http://169.254.169.254/latest"} {
		_, err := guarded.Register(ctx, access.AdminToken(), EndpointInput{URL: &u, Events: &events})
		if apperr.CodeOf(err) != apperr.WebhookURLForbidden {
			t.Errorf("%s: %v, want webhook_url_forbidden", u, err)
		}
	}
	for _, u := range []string{"ftp://example.org/", "/relative", "https://", "mailto:a@example.org", "https://93.184.215.14/x#frag"} {
		_, err := guarded.Register(ctx, access.AdminToken(), EndpointInput{URL: &u, Events: &events})
		if apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("%s: %v, want invalid_input", u, err)
		}
	}
	ok := "https://93.184.215.14/hook"
	if _, err := guarded.Register(ctx, access.AdminToken(), EndpointInput{URL: &ok, Events: &events}); err != nil {
		t.Errorf("a public address: %v", err)
	}
	for _, by := range []access.Principal{{}, access.Mentor("m1"), access.Staff("s1", access.RoleCoordinator)} {
		if _, err := guarded.Register(ctx, by, EndpointInput{URL: &ok, Events: &events}); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("%+v registers: %v", by, err)
		}
		if _, err := guarded.Endpoints(ctx, by); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("%+v lists: %v", by, err)
		}
	}
	allowed := f.service(Options{AllowPrivate: true})
	local := "http://127.0.0.1:8080/hook"
	if _, err := allowed.Register(ctx, access.AdminToken(), EndpointInput{URL: &local, Events: &events}); err != nil {
		t.Errorf("loopback while allowed: %v", err)
	}
	meta := "http://169.254.169.254/latest"
	if _, err := allowed.Register(ctx, access.AdminToken(), EndpointInput{URL: &meta, Events: &events}); apperr.CodeOf(err) != apperr.WebhookURLForbidden {
		t.Errorf("metadata endpoint while private hosts are allowed: %v", err)
	}
}

// TestDeliveryAttempts: a redirect, a slow receiver and a forbidden
// address are failed attempts; an oversized answer is read only so far;
// the body and webhook-id stay the same on every attempt.
func TestDeliveryAttempts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		f := newFixture(t, db)
		var mu sync.Mutex
		var ids, bodies []string
		mode := "redirect"
		rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			mu.Lock()
			ids, bodies = append(ids, r.Header.Get("webhook-id")), append(bodies, string(body))
			m := mode
			mu.Unlock()
			switch m {
			case "redirect":
				http.Redirect(w, r, "http://169.254.169.254/", http.StatusFound)
			case "slow":
				time.Sleep(700 * time.Millisecond)
			case "huge":
				w.WriteHeader(http.StatusOK)
				chunk := bytes.Repeat([]byte("x"), 1<<20)
				for i := 0; i < 64; i++ { // 64 MiB, if anyone read it all
					if _, err := w.Write(chunk); err != nil {
						return
					}
				}
			}
		}))
		defer rcv.Close()
		s := f.service(Options{AllowPrivate: true, Timeout: 300 * time.Millisecond})
		f.register(s, rcv.URL+"/hook")
		e, _ := f.emit(s)
		if len(e.deliveries) != 1 {
			t.Fatalf("%d deliveries, want 1", len(e.deliveries))
		}
		d, id := e.job, e.deliveries[0]
		if err := work(s, d, 1); err == nil {
			t.Fatal("a redirect counted as delivered")
		}
		if got := f.delivery(id); got.Status != store.DeliveryPending || got.LastStatusCode == nil || *got.LastStatusCode != 302 || got.NextAttemptAt == nil {
			t.Errorf("after a redirect: %+v", got)
		}
		mu.Lock()
		mode = "slow"
		mu.Unlock()
		if err := work(s, d, 2); err == nil {
			t.Fatal("a receiver slower than the timeout counted as delivered")
		}
		if got := f.delivery(id); got.LastStatusCode != nil || got.LastError == "" || got.Attempts != 2 {
			t.Errorf("after a timeout: %+v", got)
		}
		mu.Lock()
		mode = "huge"
		mu.Unlock()
		start := time.Now()
		if err := work(s, d, 3); err != nil {
			t.Fatalf("a 2xx with a huge body: %v", err)
		}
		if took := time.Since(start); took > 250*time.Millisecond {
			t.Errorf("the huge answer took %s: read past the limit?", took)
		}
		if got := f.delivery(id); got.Status != store.DeliveryDelivered || got.DeliveredAt == nil || got.Attempts != 3 {
			t.Errorf("delivered: %+v", got)
		}
		if err := work(s, d, 4); err != nil {
			t.Errorf("a job run again after delivery: %v", err)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(ids) != 3 || ids[0] != ids[1] || ids[1] != ids[2] || bodies[0] != bodies[1] || bodies[1] != bodies[2] {
			t.Errorf("attempts differ: %q %q", ids, bodies)
		}

		// Registered while allowed, delivered by a process that forbids
		// private addresses: refused at dial time.
		guarded := f.service(Options{})
		again, _ := f.emit(s)
		if err := work(guarded, again.job, 1); err == nil {
			t.Fatal("delivered to loopback while private hosts are forbidden")
		}
		if got := f.delivery(again.deliveries[0]); !strings.Contains(got.LastError, "private") {
			t.Errorf("dial-time refusal: %+v", got)
		}
	})
}

// TestFailingEndpointIsDisabledOnce: the last attempt of a delivery that
// failed for the whole span disables the endpoint when nothing reached it
// meanwhile, in one transaction with one mail per admin; its other
// deliveries are then failed without being sent.
func TestFailingEndpointIsDisabledOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		f := newFixture(t, db)
		var posts int
		var mu sync.Mutex
		rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			posts++
			mu.Unlock()
			http.Error(w, strings.Repeat("down for maintenance ", 100), http.StatusServiceUnavailable)
		}))
		defer rcv.Close()
		s := f.service(Options{AllowPrivate: true})
		ep := f.register(s, rcv.URL+"/hook")
		first, _ := f.emit(s)
		second, _ := f.emit(s)
		if err := work(s, first.job, Attempts-1); err == nil || errors.Is(err, &river.JobCancelError{}) {
			t.Fatalf("attempt before the last: %v", err)
		}
		if got := f.delivery(first.deliveries[0]); got.Status != store.DeliveryPending || len(got.LastError) > 310 {
			t.Errorf("before the last attempt: %+v", got)
		}
		err := work(s, first.job, Attempts)
		var cancel *river.JobCancelError
		if !errors.As(err, &cancel) {
			t.Fatalf("last attempt: %v, want the job cancelled", err)
		}
		if got := f.delivery(first.deliveries[0]); got.Status != store.DeliveryFailed {
			t.Errorf("after the last attempt: %+v", got)
		}
		view, _ := s.Endpoint(context.Background(), access.AdminToken(), ep.ID)
		if view.Status != store.WebhookDisabled || view.DisabledAt == nil || !strings.Contains(view.DisabledReason, "503") {
			t.Errorf("endpoint after failing: %+v", view)
		}
		if n := len(f.jobs.of("webhook_disabled_mail")); n != 1 {
			t.Errorf("%d admin mails, want 1", n)
		}
		mu.Lock()
		before := posts
		mu.Unlock()
		if err := work(s, second.job, 1); err != nil {
			t.Errorf("delivery to a disabled endpoint: %v, want the job done", err)
		}
		mu.Lock()
		if posts != before {
			t.Errorf("a disabled endpoint was sent a delivery")
		}
		mu.Unlock()
		if got := f.delivery(second.deliveries[0]); got.Status != store.DeliveryFailed {
			t.Errorf("the other delivery: %+v", got)
		}
		if n := len(f.jobs.of("webhook_disabled_mail")); n != 1 {
			t.Errorf("%d admin mails after a second failure, want 1", n)
		}
		msg := disabledMessage(calendar.Person{Email: "no-reply@example.org"}, f.jobs.of("webhook_disabled_mail")[0].(DisabledMailArgs))
		if msg.To.Email != "ops@example.org" || !strings.Contains(msg.Text, ep.ID) || strings.Contains(msg.Text, "?") && strings.Contains(msg.Text, "token=") {
			t.Errorf("admin mail: %+v", msg)
		}
		// Enabled again, it is sent new events.
		on := true
		if _, err := s.UpdateEndpoint(context.Background(), access.AdminToken(), ep.ID, EndpointInput{Enabled: &on}); err != nil {
			t.Fatal(err)
		}
		if e, _ := f.emit(s); len(e.deliveries) != 1 {
			t.Errorf("%d deliveries to the endpoint enabled again, want 1", len(e.deliveries))
		}
	})
}

// TestEventsOnlyWithTheirChange: an event emitted in a transaction that
// rolls back leaves nothing; without a subscribed endpoint nothing is
// written.
func TestEventsOnlyWithTheirChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		f := newFixture(t, db)
		ctx := context.Background()
		s := f.service(Options{AllowPrivate: true})
		if _, ok := f.emit(s); ok {
			t.Fatal("deliveries without an endpoint")
		}
		url := "http://127.0.0.1:9/hook"
		onlyBookings := []string{BookingCreated}
		ep, err := s.Register(ctx, access.AdminToken(), EndpointInput{URL: &url, Events: &onlyBookings})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := f.emit(s); ok {
			t.Fatal("a mentee event delivered to an endpoint of booking events")
		}
		all := []string{MenteeAssigned}
		if _, err := s.UpdateEndpoint(ctx, access.AdminToken(), ep.ID, EndpointInput{Events: &all}); err != nil {
			t.Fatal(err)
		}
		rollback := errors.New("the change failed")
		err = f.store.InTx(ctx, func(tx *store.Tx) error {
			m := &store.Mentee{ID: "e2", Name: "Ann", Email: "ann@example.org", Timezone: "UTC", Status: store.MenteeActive}
			if err := s.EmitTx(ctx, tx, Mentee(MenteeAssigned, m, nil, nil)); err != nil {
				return err
			}
			return rollback
		})
		if !errors.Is(err, rollback) {
			t.Fatal(err)
		}
		ds, _, err := s.Deliveries(ctx, access.AdminToken(), ep.ID, DeliveryQuery{})
		if err != nil || len(ds) != 0 {
			t.Errorf("after a rollback: %v %+v", err, ds)
		}
		if e, _ := f.emit(s); len(e.deliveries) != 1 {
			t.Error("no delivery after the subscription changed")
		}
	})
}

// TestJobArgsCarryVersion: job arguments are durable (see
// internal/jobs/session.go).
func TestJobArgsCarryVersion(t *testing.T) {
	for _, args := range []any{DeliveryArgs{EventIDs: []string{"msg_1"}}, DisabledMailArgs{EndpointID: "e"}} {
		data, _ := json.Marshal(args)
		if !strings.Contains(string(data), `"version":1`) {
			t.Errorf("%T written without its version: %s", args, data)
		}
	}
	var back DeliveryArgs
	if err := json.Unmarshal([]byte(`{"version":1,"event_ids":["msg_1","msg_2"]}`), &back); err != nil || len(back.EventIDs) != 2 {
		t.Errorf("read back: %+v %v", back, err)
	}
}
