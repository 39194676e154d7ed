// Package bbbfake is an in-process BigBlueButton API for tests. It verifies
// checksums the way BigBlueButton does and keeps meetings in memory.
package bbbfake

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/xml"
	"hash"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// Server is a fake BigBlueButton server; URL() + "/bigbluebutton/" is what
// Rendezvous is configured with.
type Server struct {
	*httptest.Server
	secret string

	mu       sync.Mutex
	meetings map[string]Meeting
	calls    []string
}

// Meeting is a meeting created through the fake.
type Meeting struct {
	ID, Name, AttendeePW, ModeratorPW, Record string
}

// Start runs a fake server with the given shared secret until the test ends.
func Start(t testing.TB, secret string) *Server {
	s := &Server{secret: secret, meetings: map[string]Meeting{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// APIURL is the server URL in the form `bbb-conf --secret` prints.
func (s *Server) APIURL() string { return s.URL + "/bigbluebutton/" }

// Meetings returns the meetings created so far.
func (s *Server) Meetings() map[string]Meeting {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]Meeting, len(s.meetings))
	for k, v := range s.meetings {
		out[k] = v
	}
	return out
}

// Calls lists the API calls received with a valid checksum, in order.
func (s *Server) Calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.calls...)
}

type response struct {
	XMLName    xml.Name `xml:"response"`
	ReturnCode string   `xml:"returncode"`
	MeetingID  string   `xml:"meetingID,omitempty"`
	MessageKey string   `xml:"messageKey,omitempty"`
	Message    string   `xml:"message,omitempty"`
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	prefix := "/bigbluebutton/api/"
	if !strings.HasPrefix(r.URL.Path, prefix) {
		http.NotFound(w, r)
		return
	}
	call := strings.TrimPrefix(r.URL.Path, prefix)
	if !s.checksumValid(call, r.URL.RawQuery) {
		reply(w, response{ReturnCode: "FAILED", MessageKey: "checksumError",
			Message: "You did not pass the checksum security check"})
		return
	}
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, call)
	id := q.Get("meetingID")
	switch call {
	case "create":
		m := Meeting{ID: id, Name: q.Get("name"), AttendeePW: q.Get("attendeePW"),
			ModeratorPW: q.Get("moderatorPW"), Record: q.Get("record")}
		if id == "" || m.Name == "" {
			reply(w, response{ReturnCode: "FAILED", MessageKey: "missingParam", Message: "meetingID and name are required"})
			return
		}
		if old, ok := s.meetings[id]; ok {
			if old.AttendeePW != m.AttendeePW || old.ModeratorPW != m.ModeratorPW {
				reply(w, response{ReturnCode: "FAILED", MessageKey: "idNotUnique",
					Message: "A meeting already exists with that meeting ID."})
				return
			}
			reply(w, response{ReturnCode: "SUCCESS", MeetingID: id, MessageKey: "duplicateWarning",
				Message: "This conference was already in existence and may currently be in progress."})
			return
		}
		s.meetings[id] = m
		reply(w, response{ReturnCode: "SUCCESS", MeetingID: id})
	case "join":
		m, ok := s.meetings[id]
		if !ok {
			reply(w, response{ReturnCode: "FAILED", MessageKey: "invalidMeetingIdentifier",
				Message: "The meeting ID that you supplied did not match any existing meetings"})
			return
		}
		role, pw := q.Get("role"), q.Get("password")
		if (role != "MODERATOR" && role != "VIEWER") || q.Get("fullName") == "" ||
			(pw != "" && pw != m.AttendeePW && pw != m.ModeratorPW) ||
			(role == "MODERATOR" && pw != "" && pw != m.ModeratorPW) {
			reply(w, response{ReturnCode: "FAILED", MessageKey: "invalidPassword",
				Message: "You either did not supply a password or the password supplied is neither the attendee or moderator password for this conference."})
			return
		}
		reply(w, response{ReturnCode: "SUCCESS", MeetingID: id, MessageKey: "successfullyJoined", Message: role})
	default:
		reply(w, response{ReturnCode: "FAILED", MessageKey: "unsupportedRequest", Message: "This request is not supported."})
	}
}

// checksumValid mirrors BigBlueButton: strip the checksum parameter from the
// raw query string as received, then hash call name + query + secret with
// the algorithm implied by the checksum's length.
func (s *Server) checksumValid(call, rawQuery string) bool {
	values, err := url.ParseQuery(rawQuery)
	if err != nil {
		return false
	}
	checksum := values.Get("checksum")
	if checksum == "" {
		return false
	}
	query := strings.Replace(rawQuery, "&checksum="+checksum, "", 1)
	query = strings.Replace(query, "checksum="+checksum+"&", "", 1)
	query = strings.Replace(query, "checksum="+checksum, "", 1)
	var h hash.Hash
	switch len(checksum) {
	case 40:
		h = sha1.New()
	case 64:
		h = sha256.New()
	default:
		return false
	}
	h.Write([]byte(call + query + s.secret))
	want := hex.EncodeToString(h.Sum(nil))
	return subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToLower(checksum))) == 1
}

func reply(w http.ResponseWriter, r response) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	body, err := xml.Marshal(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	_, _ = w.Write(append([]byte(xml.Header), body...))
}
