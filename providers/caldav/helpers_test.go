package caldav

import (
	"context"
	"io"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/providers/caldav/caldavtest"
	"github.com/rendezvous/rendezvous/providers/netguard"
)

// testOptions allows loopback servers and counts traffic.
func testOptions(counter *countingTransport) Options {
	client := netguard.NewHTTPClient(netguard.Options{AllowPrivate: true, Timeout: 30 * time.Second})
	if counter != nil {
		counter.next = client.Transport
		client.Transport = counter
	}
	return Options{HTTPClient: client}
}

func connect(t *testing.T, srv *caldavtest.Server, url string) *Conn {
	t.Helper()
	conn, err := Connect(context.Background(), Credentials{URL: url, Username: srv.Username, Password: srv.Password}, testOptions(nil))
	if err != nil {
		t.Fatalf("Connect(%s): %v", url, err)
	}
	return conn
}

// servers runs f against each real server: Radicale and Xandikos started
// for the test, and the shared peers .ci/run starts (sabre/dav with Basic
// and with Digest, Cyrus, DAViCal, SOGo) with a calendar of the test's own.
func servers(t *testing.T, f func(t *testing.T, name string, srv *caldavtest.Server)) {
	t.Run("radicale", func(t *testing.T) { f(t, "radicale", caldavtest.StartRadicale(t)) })
	t.Run("xandikos", func(t *testing.T) { f(t, "xandikos", caldavtest.StartXandikos(t)) })
	for _, name := range caldavtest.Peers {
		t.Run(name, func(t *testing.T) { f(t, name, caldavtest.StartPeer(t, name)) })
	}
}

// countingTransport counts requests and response body bytes.
type countingTransport struct {
	next http.RoundTripper

	mu       sync.Mutex
	requests int
	bytes    int64
}

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.requests++
	c.mu.Unlock()
	resp, err := c.next.RoundTrip(req)
	if err == nil {
		resp.Body = &countingBody{ReadCloser: resp.Body, counter: c}
	}
	return resp, err
}

// take returns and resets the counts.
func (c *countingTransport) take() (requests int, bytes int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	requests, bytes = c.requests, c.bytes
	c.requests, c.bytes = 0, 0
	return requests, bytes
}

type countingBody struct {
	io.ReadCloser
	counter *countingTransport
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.counter.mu.Lock()
	b.counter.bytes += int64(n)
	b.counter.mu.Unlock()
	return n, err
}

func keysOf(items []calendar.Item) []string {
	var keys []string
	for _, it := range items {
		keys = append(keys, it.Key)
	}
	sort.Strings(keys)
	return keys
}

var testWindow = calendar.Interval{
	Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
	End:   time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
}

func changes(t *testing.T, conn *Conn, calRef, state string, known map[string]string) calendar.ChangeSet {
	t.Helper()
	cs, err := conn.Changes(context.Background(), calRef, state, testWindow, known)
	if err != nil {
		t.Fatalf("Changes(%q): %v", state, err)
	}
	return cs
}
