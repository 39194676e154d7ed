package caldavtest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A peer is a CalDAV server that .ci/run installs and starts once on a
// fixed loopback port (the scripts under .ci/peers/), because it needs
// root-run services (apache2, PostgreSQL, memcached) or takes seconds to
// start. Tests share it and isolate themselves with a calendar of their
// own. The URL comes from the environment variable, else the port the
// script uses by default.
type peer struct {
	env, defaultURL string
	// principal and home are paths under the URL's root.
	principal, home string
	// helper, if set, is the base URL the test helpers (seeding, making
	// calendars) use instead: the Digest instance of sabre shares the
	// Basic one's database, and Basic keeps the helpers simple.
	helper string
	email  string
	// mailLog is where the server's outgoing mail lands, under the
	// peers' state directory, if it sends any.
	mailLog string
}

const (
	peerUser     = "mentor"
	peerPassword = "correct-horse"
)

// Peers names the shared servers, in the order tests run them.
var Peers = []string{"sabre", "sabre-digest", "cyrus", "davical", "sogo"}

var peers = map[string]peer{
	"sabre": {env: "RENDEZVOUS_TEST_SABRE_URL", defaultURL: "http://127.0.0.1:18081/",
		principal: "principals/mentor/", home: "calendars/mentor/", email: "mentor@example.org",
		mailLog: "sabre/mail.log"},
	"sabre-digest": {env: "RENDEZVOUS_TEST_SABRE_DIGEST_URL", defaultURL: "http://127.0.0.1:18082/",
		principal: "principals/mentor/", home: "calendars/mentor/", email: "mentor@example.org",
		helper: "sabre", mailLog: "sabre/mail.log"},
	"cyrus": {env: "RENDEZVOUS_TEST_CYRUS_URL", defaultURL: "http://127.0.0.1:18083/",
		principal: "dav/principals/user/mentor/", home: "dav/calendars/user/mentor/", email: "mentor@example.org"},
	"davical": {env: "RENDEZVOUS_TEST_DAVICAL_URL", defaultURL: "http://127.0.0.1:18084/",
		principal: "caldav.php/mentor/", home: "caldav.php/mentor/", email: "mentor@example.org"},
	"sogo": {env: "RENDEZVOUS_TEST_SOGO_URL", defaultURL: "http://127.0.0.1:18085/",
		principal: "SOGo/dav/mentor/", home: "SOGo/dav/mentor/Calendar/", email: "mentor@example.org",
		mailLog: "sogo/mail.log"},
}

// StartPeer connects to the shared server name (one of Peers) and creates
// an empty event calendar for this test as CalendarURL, deleted when the
// test ends. An absent server skips the test, or fails it under CI=true.
func StartPeer(t testing.TB, name string) *Server {
	t.Helper()
	p, ok := peers[name]
	if !ok {
		t.Fatalf("caldavtest: no peer %q", name)
	}
	root := peerURL(t, name, p)
	s := &Server{
		Name: name, URL: root, Username: peerUser, Password: peerPassword, Email: p.email, shared: true,
		PrincipalURL: root + p.principal, HomeURL: root + p.home,
	}
	if p.mailLog != "" {
		stateDir := os.Getenv("PEERS_STATE")
		if stateDir == "" {
			stateDir = "/var/lib/rendezvous-peers"
		}
		s.MailLog = filepath.Join(stateDir, p.mailLog)
	}
	if p.helper != "" {
		s.helperBase = peerURL(t, p.helper, peers[p.helper])
	}
	s.CalendarURL = s.HomeURL + "rdv-" + randomName() + "/"
	s.MakeCalendar(t, s.CalendarURL, "Test "+t.Name(), "VEVENT")
	t.Cleanup(func() { s.DeleteCollection(t, s.CalendarURL) })
	return s
}

func peerURL(t testing.TB, name string, p peer) string {
	t.Helper()
	raw := os.Getenv(p.env)
	if raw == "" {
		raw = p.defaultURL
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		t.Fatalf("caldavtest: %s=%q is not a URL", p.env, raw)
	}
	conn, err := net.DialTimeout("tcp", u.Host, 2*time.Second)
	if err != nil {
		msg := fmt.Sprintf("caldavtest: the %s CalDAV server is not running at %s (%v); run .ci/run, or .ci/peers/%s.sh, or set %s",
			name, raw, err, strings.TrimSuffix(name, "-digest"), p.env)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg + "; skipping integration test")
	}
	conn.Close()
	return strings.TrimSuffix(raw, "/") + "/"
}

func randomName() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}
