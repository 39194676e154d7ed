package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/api"
	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/booking"
	"github.com/rendezvous/rendezvous/internal/mentoring"
)

// These tests run the handlers against fakes of the services: the HTTP
// layer establishes the caller, passes it on, renders what the service
// returns and maps its errors; it decides nothing itself.

// Each fake embeds the interface it stands for: a method the test does
// not provide panics, which fails the test loudly.

type fakeAuth struct{}

func (fakeAuth) Authenticate(_ context.Context, token string) (access.Principal, error) {
	if token == "mentor-token" {
		return access.Mentor("m1"), nil
	}
	return access.Principal{}, apperr.Errorf(apperr.Unauthorized, "invalid token")
}

func (fakeAuth) MentorSession(context.Context, string) (access.Principal, bool, error) {
	return access.Principal{}, false, nil
}

func (fakeAuth) StaffSession(context.Context, string) (access.Principal, bool, error) {
	return access.Principal{}, false, nil
}

type fakeMentoring struct {
	api.Mentoring
	callers []access.Principal
}

// Mentor answers as a service would: the mentor themselves only.
func (f *fakeMentoring) Mentor(_ context.Context, by access.Principal, id string) (*mentoring.Mentor, error) {
	f.callers = append(f.callers, by)
	if !by.MayActFor(id) {
		return nil, apperr.Errorf(apperr.Forbidden, "you cannot act for that mentor")
	}
	return &mentoring.Mentor{ID: id, Name: "Grace", Timezone: "UTC", CreatedAt: time.Unix(0, 0)}, nil
}

type fakeBooking struct {
	api.Booking
	managed *booking.Managed
	book    func(in booking.BookInput, idem *booking.Idempotency) (*booking.Booking, bool, error)
}

func (f *fakeBooking) Manage(context.Context, string) (*booking.Managed, error) {
	return f.managed, nil
}

// ManageSlots offers the session's own time (counted as free) and the
// hour after it.
func (f *fakeBooking) ManageSlots(_ context.Context, _ string, _, _ time.Time, _ string) (*booking.Slots, error) {
	own := f.managed.Start
	return &booking.Slots{Timezone: time.UTC, Slots: []calendar.Interval{{Start: own, End: own.Add(30 * time.Minute)},
		{Start: own.Add(time.Hour), End: own.Add(90 * time.Minute)}}}, nil
}

func (f *fakeBooking) Book(_ context.Context, _ string, in booking.BookInput, idem *booking.Idempotency) (*booking.Booking, bool, error) {
	return f.book(in, idem)
}

type fakeCalendars struct{ api.Calendars }

func (fakeCalendars) GoogleEnabled() bool         { return false }
func (fakeCalendars) GoogleConsentOrigin() string { return "" }

func serve(t *testing.T, m api.Mentoring, b api.Booking) *httptest.Server {
	t.Helper()
	s := api.New(api.Deps{Logger: slog.New(slog.DiscardHandler), Auth: fakeAuth{},
		Mentoring: m, Booking: b, Calendars: fakeCalendars{}})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url, token string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

// TestHandlersPassTheCallerAndMapErrors: the handler hands the caller its
// token established to the service, and turns the service's refusal into
// the contract's problem; without a token the service is never asked.
func TestHandlersPassTheCallerAndMapErrors(t *testing.T) {
	m := &fakeMentoring{}
	srv := serve(t, m, &fakeBooking{})

	res, body := get(t, srv.URL+"/api/v1/mentors/m1", "mentor-token")
	var mentor struct{ ID, Name string }
	if res.StatusCode != 200 || json.Unmarshal([]byte(body), &mentor) != nil || mentor.ID != "m1" {
		t.Fatalf("own mentor: %d %s", res.StatusCode, body)
	}
	res, body = get(t, srv.URL+"/api/v1/mentors/m2", "mentor-token")
	var problem struct {
		Status int
		Code   string
	}
	if res.StatusCode != 403 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json") ||
		json.Unmarshal([]byte(body), &problem) != nil || problem.Code != "forbidden" {
		t.Fatalf("another mentor: %d %s", res.StatusCode, body)
	}
	if len(m.callers) != 2 || m.callers[0] != access.Mentor("m1") || m.callers[1] != access.Mentor("m1") {
		t.Fatalf("the service was called by %+v, want the token's mentor twice", m.callers)
	}
	if res, _ = get(t, srv.URL+"/api/v1/mentors/m1", ""); res.StatusCode != 401 || len(m.callers) != 2 {
		t.Fatalf("no token: %d, service called %d times", res.StatusCode, len(m.callers))
	}
}

// TestManagePageOffersWhatTheServiceAllows: the manage page shows the move
// picker and the cancel form exactly when the service's rules say so;
// during a session the mentee may still move it but no longer cancel it.
func TestManagePageOffersWhatTheServiceAllows(t *testing.T) {
	start := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	b := &fakeBooking{}
	srv := serve(t, &fakeMentoring{}, b)
	for _, c := range []struct {
		name           string
		status         string
		rules          booking.Rules
		picker, cancel bool
	}{
		{"ahead", "confirmed", booking.Rules{Upcoming: true, CanMove: true, CanCancel: true}, true, true},
		{"started", "confirmed", booking.Rules{CanMove: true}, true, false},
		{"over", "confirmed", booking.Rules{}, false, false},
		{"cancelled", "cancelled", booking.Rules{}, false, false},
	} {
		b.managed = &booking.Managed{Booking: booking.Booking{ID: "b1", Start: start, End: start.Add(30 * time.Minute),
			Status: c.status, Rules: c.rules}, MentorName: "Grace", HorizonDays: 28}
		res, body := get(t, srv.URL+"/manage/some-token", "")
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d %s", c.name, res.StatusCode, body)
		}
		if got := strings.Contains(body, `id="move-form"`); got != c.picker {
			t.Errorf("%s: move form shown %v, want %v", c.name, got, c.picker)
		}
		// The plain form (no JavaScript) offers the same, without the
		// session's own time.
		if got := strings.Contains(body, `id="plain-move"`); got != c.picker {
			t.Errorf("%s: plain move form shown %v, want %v", c.name, got, c.picker)
		}
		if c.picker && (strings.Contains(body, `value="`+start.Format(time.RFC3339)+`"`) || !strings.Contains(body, `value="`+start.Add(time.Hour).Format(time.RFC3339)+`"`)) {
			t.Errorf("%s: the plain form offers the wrong times", c.name)
		}
		if got := strings.Contains(body, `id="cancel-button"`); got != c.cancel {
			t.Errorf("%s: cancel form shown %v, want %v", c.name, got, c.cancel)
		}
	}
}

// TestReplayedBookingAnswersAsTheFirst: a replayed booking answers 201
// with the booking the service returns, marked as a replay, and the
// service receives the key with the request's hash.
func TestReplayedBookingAnswersAsTheFirst(t *testing.T) {
	var keys []booking.Idempotency
	b := &fakeBooking{book: func(in booking.BookInput, idem *booking.Idempotency) (*booking.Booking, bool, error) {
		keys = append(keys, *idem)
		return &booking.Booking{ID: "b1", Start: in.Start, End: in.Start.Add(30 * time.Minute), Status: "confirmed"}, len(keys) > 1, nil
	}}
	srv := serve(t, &fakeMentoring{}, b)
	post := func() (*http.Response, string) {
		req, _ := http.NewRequest("POST", srv.URL+"/api/v1/book/link/bookings",
			strings.NewReader(`{"start":"2026-12-01T10:00:00Z","timezone":"Europe/Paris"}`))
		req.Header.Set("Idempotency-Key", "key-1")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res, string(body)
	}
	first, firstBody := post()
	again, againBody := post()
	if first.StatusCode != 201 || again.StatusCode != 201 || firstBody != againBody {
		t.Fatalf("first %d %s, again %d %s", first.StatusCode, firstBody, again.StatusCode, againBody)
	}
	if first.Header.Get("Idempotent-Replayed") != "" || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay headers: %q then %q", first.Header.Get("Idempotent-Replayed"), again.Header.Get("Idempotent-Replayed"))
	}
	if !strings.Contains(firstBody, `"start":"2026-12-01T11:00:00+01:00"`) {
		t.Errorf("the booking is not in the request's zone: %s", firstBody)
	}
	if len(keys) != 2 || keys[0].Key != "key-1" || keys[0].RequestHash == "" || keys[0] != keys[1] {
		t.Fatalf("idempotency keys given to the service: %+v", keys)
	}
}
