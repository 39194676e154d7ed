package googlefake

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func get(t *testing.T, s *Server, path, token string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var body map[string]any
	if err := json.Unmarshal(b, &body); err != nil {
		t.Fatalf("%s: not JSON: %s", path, b)
	}
	return resp.StatusCode, body
}

// The error bodies must be byte-for-byte Google's shape: clients parse
// error.errors[].reason.
func TestErrorBodiesHaveGooglesShape(t *testing.T) {
	s := New()
	defer s.Close()
	status, body := get(t, s, "/calendar/v3/users/me/calendarList", "")
	if status != http.StatusUnauthorized || !strings.Contains(mustJSON(body), `"reason":"authError"`) {
		t.Fatalf("401: %d %s", status, mustJSON(body))
	}
	tok := s.IssueToken().AccessToken
	s.PutEvent(s.User, TimedEvent("abcde", "x", time.Now(), time.Now().Add(time.Hour)))
	_, list := get(t, s, "/calendars/primary/events", tok)
	syncToken, _ := list["nextSyncToken"].(string)
	if syncToken == "" || list["kind"] != "calendar#events" || list["timeZone"] != "UTC" {
		t.Fatalf("list: %s", mustJSON(list))
	}
	s.ExpireSyncTokens()
	status, body = get(t, s, "/calendar/v3/calendars/primary/events?syncToken="+url.QueryEscape(syncToken), tok)
	want := `{"error":{"code":410,"errors":[{"domain":"global","message":"Sync token is no longer valid, a full sync is required.","reason":"fullSyncRequired"}],"message":"Sync token is no longer valid, a full sync is required."}}`
	if status != http.StatusGone || mustJSON(body) != want {
		t.Fatalf("410: %d %s", status, mustJSON(body))
	}
	status, _ = get(t, s, "/calendars/primary/events?timeMin=2026-01-01T00:00:00Z&syncToken=x", tok)
	if status != http.StatusBadRequest {
		t.Fatalf("syncToken with timeMin: %d", status)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v) // maps marshal with sorted keys
	return string(b)
}
