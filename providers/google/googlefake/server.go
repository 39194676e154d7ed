// Package googlefake is an in-process fake of Google's OAuth 2.0 endpoints
// and the parts of the Calendar v3 API that Rendezvous uses, written after
// Google's API reference: the same JSON shapes (it encodes the generated
// google.golang.org/api/calendar/v3 types), nextPageToken paging,
// nextSyncToken with 410 fullSyncRequired, Google's error bodies, PKCE,
// single-use codes, refresh-token revocation and rotation, asynchronous
// Meet creation, watch channels and injectable rate limits.
//
// Calendar endpoints are served both with and without the /calendar/v3
// prefix, because option.WithEndpoint(URL+"/") drops it. Recurring events
// are not expanded: seed single events (singleEvents=true semantics).
package googlefake

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Defaults of a new Server.
const (
	DefaultClientID     = "fake-client-id.apps.googleusercontent.com"
	DefaultClientSecret = "fake-client-secret"
	DefaultUser         = "mentor@example.com"
)

// Request is one Calendar API request as the fake received it, with the
// /calendar/v3 prefix removed from Path.
type Request struct {
	Method string
	Path   string
	Query  url.Values
}

// Server is the fake. Its zero value is not usable; call New.
type Server struct {
	// URL is the server's base URL, e.g. http://127.0.0.1:1234.
	URL string
	srv *httptest.Server

	ClientID, ClientSecret string
	// User is the account's e-mail: the primary calendar's id, the
	// organizer of inserted events, the attendee marked self.
	User string

	mu       sync.Mutex
	oauth    oauthState
	cals     []*calState
	version  int64 // global change counter: etags and sync positions
	epoch    int   // bumped by ExpireSyncTokens
	ids      int64
	inject   []injected
	meetWait int // reads that still see a new Meet request as pending
	channels map[string]*channel
	requests []Request
	webhooks webhookPolicy
}

type injected struct {
	status         int
	domain, reason string
	message        string
}

// New starts a fake with one primary calendar (id = User, zone UTC).
// Close it when done.
func New() *Server {
	s := &Server{
		ClientID:     DefaultClientID,
		ClientSecret: DefaultClientSecret,
		User:         DefaultUser,
		oauth:        newOAuthState(),
		channels:     map[string]*channel{},
	}
	s.AddCalendar(Calendar{ID: DefaultUser, Summary: DefaultUser, TimeZone: "UTC", AccessRole: "owner", Primary: true})
	mux := http.NewServeMux()
	s.routes(mux)
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// AuthURL is the consent endpoint (Google's /o/oauth2/auth).
func (s *Server) AuthURL() string { return s.URL + "/o/oauth2/auth" }

// TokenURL is the token endpoint.
func (s *Server) TokenURL() string { return s.URL + "/token" }

// APIEndpoint is the value for option.WithEndpoint.
func (s *Server) APIEndpoint() string { return s.URL + "/" }

// Client is an HTTP client for the fake (plain HTTP, no auth).
func (s *Server) Client() *http.Client { return s.srv.Client() }

func (s *Server) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /o/oauth2/auth", s.handleAuthorize)
	mux.HandleFunc("GET /authorize", s.handleAuthorize)
	mux.HandleFunc("POST /token", s.handleToken)
	mux.HandleFunc("POST /revoke", s.handleRevoke)
	for _, prefix := range []string{"", "/calendar/v3"} {
		api := func(pattern string, h func(http.ResponseWriter, *http.Request, *calState)) {
			method, path, _ := strings.Cut(pattern, " ")
			mux.HandleFunc(method+" "+prefix+path, s.api(h))
		}
		mux.HandleFunc("GET "+prefix+"/users/me/calendarList", s.api(s.listCalendars))
		api("GET /calendars/{cal}/events", s.listEvents)
		api("POST /calendars/{cal}/events", s.insertEvent)
		api("POST /calendars/{cal}/events/watch", s.watch)
		api("GET /calendars/{cal}/events/{event}", s.getEvent)
		api("GET /calendars/{cal}/events/{event}/instances", s.listInstances)
		api("PATCH /calendars/{cal}/events/{event}", s.patchEvent)
		api("DELETE /calendars/{cal}/events/{event}", s.deleteEvent)
		mux.HandleFunc("POST "+prefix+"/channels/stop", s.api(s.stopChannel))
	}
}

// api wraps a Calendar handler: request log, bearer check, injected
// errors, and calendar lookup, all under the server lock.
func (s *Server) api(h func(http.ResponseWriter, *http.Request, *calState)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.requests = append(s.requests, Request{
			Method: r.Method,
			Path:   strings.TrimPrefix(r.URL.Path, "/calendar/v3"),
			Query:  r.URL.Query(),
		})
		if !s.oauth.validAccess(bearer(r), time.Now()) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="https://accounts.google.com/", error="invalid_token"`)
			writeAPIErrorItem(w, http.StatusUnauthorized, errorItem{
				Domain: "global", Reason: "authError", Message: "Invalid Credentials",
				LocationType: "header", Location: "Authorization",
			})
			return
		}
		if len(s.inject) > 0 {
			e := s.inject[0]
			s.inject = s.inject[1:]
			writeAPIErrorItem(w, e.status, errorItem{Domain: e.domain, Reason: e.reason, Message: e.message})
			return
		}
		var cal *calState
		if id := r.PathValue("cal"); id != "" {
			if cal = s.calendar(id); cal == nil {
				writeAPIError(w, http.StatusNotFound, "notFound", "Not Found")
				return
			}
		}
		h(w, r, cal)
	}
}

func bearer(r *http.Request) string {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return tok
}

// RateLimit makes the next n Calendar API requests fail the way Google
// throttles: status 403 (usageLimits/rateLimitExceeded) or 429.
func (s *Server) RateLimit(n, status int) {
	s.InjectErrors(n, status, "usageLimits", "rateLimitExceeded", "Rate Limit Exceeded")
}

// InjectErrors makes the next n Calendar API requests fail with the given
// status and Google error item (e.g. 503 "global" "backendError").
func (s *Server) InjectErrors(n, status int, domain, reason, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.inject = append(s.inject, injected{status, domain, reason, message})
	}
}

// Requests returns the Calendar API requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}
