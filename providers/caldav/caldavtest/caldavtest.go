// Package caldavtest gives tests real CalDAV servers: Radicale and
// Xandikos started on a free loopback port for one test, and the shared
// servers that .ci/run starts (sabre/dav, Cyrus, DAViCal, SOGo; see
// peers.go), in which each test gets a calendar of its own. It also seeds
// them with calendar objects; and it runs a hostile server in process
// (hostile.go), for the limits of the client and the sync.
//
// A missing server skips the test, except when CI=true where it fails it:
// CI installs and starts them all.
package caldavtest

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Server is a running CalDAV server owned by one test.
type Server struct {
	// Name is the server's kind: radicale, xandikos, or one of Peers.
	Name string
	// URL is the server root, e.g. "http://127.0.0.1:40123/".
	URL                string
	Username, Password string
	// Email is the account's own calendar user address, if it has one.
	Email string
	// MailLog is the file where the server's outgoing mail (iMIP
	// invitations) lands, for servers that send any.
	MailLog string
	// PrincipalURL, HomeURL and CalendarURL are full URLs of the user's
	// principal, calendar home and an empty event calendar.
	PrincipalURL, HomeURL, CalendarURL string

	cmd     *exec.Cmd
	done    chan struct{}
	logPath string
	// shared servers are not this test's to stop.
	shared bool
	// helperBase replaces URL's root in the helpers' own requests.
	helperBase string
}

// startupTimeout bounds how long a server may take to answer on its port.
const startupTimeout = 30 * time.Second

// StartRadicale runs Radicale with htpasswd authentication (so a wrong
// password gets 401) and owner-only rights, and creates CalendarURL.
func StartRadicale(t testing.TB) *Server {
	t.Helper()
	bin := requireBinary(t, "radicale")
	dir := t.TempDir()
	port := freePort(t)
	s := &Server{
		Name:     "radicale",
		URL:      fmt.Sprintf("http://127.0.0.1:%d/", port),
		Username: "mentor",
		Password: "correct-horse",
	}
	s.PrincipalURL = s.URL + s.Username + "/"
	s.HomeURL = s.PrincipalURL
	s.CalendarURL = s.HomeURL + "calendar/"
	writeFile(t, filepath.Join(dir, "users"), s.Username+":"+s.Password+"\n")
	writeFile(t, filepath.Join(dir, "config"), fmt.Sprintf(`[server]
hosts = 127.0.0.1:%d
[auth]
type = htpasswd
htpasswd_filename = %s
htpasswd_encryption = plain
# No delay after a failed login: tests check wrong passwords.
delay = 0
[rights]
type = owner_only
[storage]
filesystem_folder = %s
[web]
type = none
[logging]
level = warning
`, port, filepath.Join(dir, "users"), filepath.Join(dir, "collections")))
	s.start(t, dir, port, bin, "-C", filepath.Join(dir, "config"))
	s.MakeCalendar(t, s.CalendarURL, "Work", "VEVENT")
	return s
}

// StartXandikos runs Xandikos (no authentication: Username and Password
// are empty) with its default calendar as CalendarURL.
func StartXandikos(t testing.TB) *Server {
	t.Helper()
	bin := requireBinary(t, "xandikos")
	dir := t.TempDir()
	port := freePort(t)
	s := &Server{Name: "xandikos", URL: fmt.Sprintf("http://127.0.0.1:%d/", port)}
	s.PrincipalURL = s.URL + "user/"
	s.HomeURL = s.PrincipalURL + "calendars/"
	s.CalendarURL = s.HomeURL + "calendar/"
	s.start(t, dir, port, bin, "-d", filepath.Join(dir, "data"), "--defaults",
		"-l", "127.0.0.1", "-p", fmt.Sprint(port))
	return s
}

func (s *Server) start(t testing.TB, dir string, port int, bin string, args ...string) {
	t.Helper()
	s.logPath = filepath.Join(dir, "server.log")
	logFile, err := os.Create(s.logPath)
	if err != nil {
		t.Fatalf("caldavtest: %v", err)
	}
	s.cmd = exec.Command(bin, args...)
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	// Own process group, so Stop also ends any worker the server forks.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("caldavtest: start %s: %v", bin, err)
	}
	s.done = make(chan struct{})
	go func() { s.cmd.Wait(); logFile.Close(); close(s.done) }()
	t.Cleanup(s.Stop)

	deadline := time.Now().Add(startupTimeout)
	for {
		conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		if err == nil {
			conn.Close()
			return
		}
		select {
		case <-s.done:
			t.Fatalf("caldavtest: %s exited at start:\n%s", bin, s.Log())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("caldavtest: %s did not listen on port %d within %s:\n%s", bin, port, startupTimeout, s.Log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop kills the server now (e.g. to test a server dying mid-sync). It is
// safe to call more than once; tests call it through t.Cleanup anyway.
// Shared servers are left running.
func (s *Server) Stop() {
	if s.shared {
		return
	}
	select {
	case <-s.done:
		return
	default:
	}
	syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	<-s.done
}

// Log returns what the server printed, for failure messages.
func (s *Server) Log() string {
	if s.shared {
		return "(see the server's own log under /var/lib/rendezvous-peers)"
	}
	data, _ := os.ReadFile(s.logPath)
	return string(data)
}

// MakeCalendar creates a calendar collection at url (ending in "/")
// holding the given component types (VEVENT, VTODO…).
func (s *Server) MakeCalendar(t testing.TB, url, name string, components ...string) {
	t.Helper()
	var comps strings.Builder
	for _, c := range components {
		comps.WriteString(`<C:comp name="` + c + `"/>`)
	}
	body := `<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>
<D:displayname>` + name + `</D:displayname>
<C:supported-calendar-component-set>` + comps.String() + `</C:supported-calendar-component-set>
</D:prop></D:set></C:mkcalendar>`
	s.mustDo(t, "MKCALENDAR", url, body, http.StatusCreated)
}

// Put stores ics as the object name (e.g. "standup.ics") in CalendarURL
// and returns its ETag.
func (s *Server) Put(t testing.TB, name, ics string) string {
	t.Helper()
	return s.PutAt(t, s.CalendarURL+name, ics)
}

// PutAt stores ics at the full URL url and returns its ETag.
func (s *Server) PutAt(t testing.TB, url, ics string) string {
	t.Helper()
	resp := s.mustDo(t, http.MethodPut, url, ics, http.StatusCreated, http.StatusNoContent, http.StatusOK)
	return resp.header.Get("ETag")
}

// Delete removes the object name from CalendarURL.
func (s *Server) Delete(t testing.TB, name string) {
	t.Helper()
	s.DeleteAt(t, s.CalendarURL+name)
}

// DeleteAt removes the object or collection at the full URL url.
func (s *Server) DeleteAt(t testing.TB, url string) {
	t.Helper()
	s.mustDo(t, http.MethodDelete, url, "", http.StatusOK, http.StatusNoContent)
}

// DeleteCollection removes a calendar; one already gone is fine.
func (s *Server) DeleteCollection(t testing.TB, url string) {
	t.Helper()
	s.mustDo(t, http.MethodDelete, url, "", http.StatusOK, http.StatusNoContent, http.StatusNotFound)
}

// Get returns the object at the full URL url.
func (s *Server) Get(t testing.TB, url string) string {
	t.Helper()
	return s.mustDo(t, http.MethodGet, url, "", http.StatusOK).body
}

// Do sends a request as the account's user and returns its status and
// body, for tests that check a server's own answer.
func (s *Server) Do(t testing.TB, method, url string, header http.Header, body string) (int, http.Header, string) {
	t.Helper()
	resp := s.do(t, method, url, header, body)
	return resp.code, resp.header, resp.body
}

// reply is a fully read answer.
type reply struct {
	code   int
	header http.Header
	body   string
}

func (s *Server) mustDo(t testing.TB, method, url, body string, okCodes ...int) reply {
	t.Helper()
	resp := s.do(t, method, url, nil, body)
	for _, code := range okCodes {
		if resp.code == code {
			return resp
		}
	}
	t.Fatalf("caldavtest: %s %s: %d\n%s\nserver log:\n%s", method, url, resp.code, strings.TrimSpace(resp.body), s.Log())
	return reply{}
}

func (s *Server) do(t testing.TB, method, url string, header http.Header, body string) reply {
	t.Helper()
	if s.helperBase != "" {
		url = s.helperBase + strings.TrimPrefix(url, s.URL)
	}
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatalf("caldavtest: %v", err)
	}
	if s.Username != "" {
		req.SetBasicAuth(s.Username, s.Password)
	}
	if method == http.MethodPut {
		req.Header.Set("Content-Type", "text/calendar; charset=utf-8")
	} else if body != "" {
		req.Header.Set("Content-Type", "application/xml; charset=utf-8")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := helperClient.Do(req)
	if err != nil {
		t.Fatalf("caldavtest: %s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	return reply{code: resp.StatusCode, header: resp.Header, body: string(answer)}
}

// helperClient follows no redirects: the helpers name exact URLs.
var helperClient = &http.Client{
	Timeout:       30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func requireBinary(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("caldavtest: %s is not installed (apt-get install %s); CI must run the integration tests", name, name)
	}
	t.Skipf("caldavtest: %s is not installed (apt-get install %s); skipping integration test", name, name)
	return ""
}

// freePort asks the kernel for a free loopback port. Another process could
// take it before the server binds; the start check then reports it.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("caldavtest: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatalf("caldavtest: %v", err)
	}
}
