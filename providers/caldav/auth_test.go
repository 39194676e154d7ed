package caldav

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/icholy/digest"
)

// TestDigestRFC7616Vectors checks the responses of RFC 7616 section 3.9.1
// (MD5 and SHA-256, qop=auth) as computed by the Digest library we use.
func TestDigestRFC7616Vectors(t *testing.T) {
	for alg, want := range map[string]string{
		"MD5":     "8ca523f5e9506fed4657c9700eebdbec",
		"SHA-256": "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
	} {
		chal := &digest.Challenge{
			Realm: "http-auth@example.org", Nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
			Opaque: "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS", Algorithm: alg, QOP: []string{"auth", "auth-int"},
		}
		cred, err := digest.Digest(chal, digest.Options{
			Method: "GET", URI: "/dir/index.html", Count: 1, Username: "Mufasa", Password: "Circle of Life",
			Cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
		})
		if err != nil || cred.Response != want || cred.QOP != "auth" {
			t.Errorf("%s: response %q qop %q err %v, want %s", alg, cred.Response, cred.QOP, err, want)
		}
	}
}

// digestServer is an RFC 7616 server written independently of the client's
// library: it checks every response it gets, and can rotate its nonce.
type digestServer struct {
	algorithms []string // offered, in order
	basic      bool     // also offer Basic
	password   string

	mu        sync.Mutex
	nonce     int
	requests  int
	accepted  map[string]int // accepted requests per algorithm
	noAuth    int            // requests without Authorization
	sawBasic  bool
	lastCount map[string]int64 // highest nc per nonce
	bodies    []string
}

func (s *digestServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	body, _ := io.ReadAll(r.Body)
	auth := r.Header.Get("Authorization")
	switch {
	case auth == "":
		s.noAuth++
	case strings.HasPrefix(auth, "Basic "):
		s.sawBasic = true
		if user, pass, _ := r.BasicAuth(); s.basic && user == "mentor" && pass == s.password {
			s.bodies = append(s.bodies, string(body))
			w.Write([]byte("ok"))
			return
		}
	default:
		ok, stale := s.check(r.Method, auth)
		if ok {
			s.bodies = append(s.bodies, string(body))
			w.Write([]byte("ok"))
			return
		}
		if stale {
			s.nonce++
			s.challenge(w, true)
			return
		}
	}
	s.challenge(w, false)
}

func (s *digestServer) challenge(w http.ResponseWriter, stale bool) {
	for _, alg := range s.algorithms {
		v := fmt.Sprintf(`Digest realm="rendezvous-test", qop="auth", algorithm=%s, nonce="n%d", opaque="op"`, alg, s.nonce)
		if stale {
			v += ", stale=true"
		}
		w.Header().Add("WWW-Authenticate", v)
	}
	if s.basic {
		w.Header().Add("WWW-Authenticate", `Basic realm="rendezvous-test"`)
	}
	w.WriteHeader(http.StatusUnauthorized)
}

// check verifies a Digest response; stale reports a right answer to an
// old nonce.
func (s *digestServer) check(method, header string) (ok, stale bool) {
	cred, err := digest.ParseCredentials(header)
	if err != nil || cred.Username != "mentor" || cred.Realm != "rendezvous-test" || cred.Opaque != "op" || cred.QOP != "auth" {
		return false, false
	}
	var h func() hash.Hash
	switch cred.Algorithm {
	case "SHA-256":
		h = sha256.New
	case "MD5", "":
		h = md5.New
	default:
		return false, false
	}
	sum := func(parts ...string) string {
		x := h()
		x.Write([]byte(strings.Join(parts, ":")))
		return hex.EncodeToString(x.Sum(nil))
	}
	nc := fmt.Sprintf("%08x", cred.Nc)
	want := sum(sum("mentor", "rendezvous-test", s.password), cred.Nonce, nc, cred.Cnonce, "auth", sum(method, cred.URI))
	if cred.Response != want {
		return false, false
	}
	if cred.Nonce != "n"+strconv.Itoa(s.nonce) {
		return false, true
	}
	if n := int64(cred.Nc); n <= s.lastCount[cred.Nonce] {
		return false, false // a replayed nonce count
	}
	s.lastCount[cred.Nonce] = int64(cred.Nc)
	s.accepted[cred.Algorithm]++
	return true, false
}

func newDigestServer(password string, algorithms ...string) *digestServer {
	return &digestServer{algorithms: algorithms, password: password, accepted: map[string]int{}, lastCount: map[string]int64{}}
}

// authClient is an http.Client with the connection's auth transport.
func authClient(password string) *http.Client {
	return &http.Client{Transport: newAuthTransport("mentor", password, http.DefaultTransport, nil)}
}

func TestDigestAuth(t *testing.T) {
	for _, tc := range []struct {
		name       string
		algorithms []string
		want       string
	}{
		{"sha256-preferred", []string{"MD5", "SHA-256"}, "SHA-256"},
		{"md5", []string{"MD5"}, "MD5"},
		{"sha256", []string{"SHA-256"}, "SHA-256"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newDigestServer("correct-horse", tc.algorithms...)
			site := httptest.NewServer(srv)
			defer site.Close()
			client := authClient("correct-horse")
			for i := range 5 {
				body := fmt.Sprintf("<propfind %d/>", i)
				req, _ := http.NewRequest("PROPFIND", site.URL+"/cal/?x=1", bytes.NewReader([]byte(body)))
				resp, err := client.Do(req)
				if err != nil || resp.StatusCode != http.StatusOK {
					t.Fatalf("request %d: %v %v", i, resp, err)
				}
				resp.Body.Close()
			}
			// One challenge, then every request answered at once, each
			// body delivered intact.
			if srv.requests != 6 || srv.noAuth != 1 || srv.sawBasic || srv.accepted[tc.want] != 5 {
				t.Fatalf("requests %d, without auth %d, basic %v, accepted %v", srv.requests, srv.noAuth, srv.sawBasic, srv.accepted)
			}
			for i, b := range srv.bodies {
				if b != fmt.Sprintf("<propfind %d/>", i) {
					t.Errorf("body %d = %q", i, b)
				}
			}
		})
	}
}

func TestDigestWrongPasswordIsNotRetriedForever(t *testing.T) {
	srv := newDigestServer("correct-horse", "SHA-256")
	site := httptest.NewServer(srv)
	defer site.Close()
	resp, err := authClient("wrong").Get(site.URL)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("got %v %v, want 401", resp, err)
	}
	if srv.requests != 2 {
		t.Fatalf("%d requests, want 2 (probe, one answer)", srv.requests)
	}
}

func TestDigestStaleNonceIsAnsweredAgain(t *testing.T) {
	srv := newDigestServer("correct-horse", "MD5")
	site := httptest.NewServer(srv)
	defer site.Close()
	client := authClient("correct-horse")
	get := func() {
		resp, err := client.Get(site.URL)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("got %v %v", resp, err)
		}
		resp.Body.Close()
	}
	get()
	srv.mu.Lock()
	srv.nonce++ // the server expires its nonce
	srv.mu.Unlock()
	get()
	if srv.requests != 4 || srv.accepted["MD5"] != 2 {
		t.Fatalf("requests %d, accepted %v", srv.requests, srv.accepted)
	}
}

// Over plain http a server offering both schemes gets Digest: the
// password never travels in clear text. Basic is used when it is all the
// server takes.
func TestPlainHTTPNeverSendsBasicToDigestServer(t *testing.T) {
	srv := newDigestServer("correct-horse", "MD5")
	srv.basic = true
	site := httptest.NewServer(srv)
	defer site.Close()
	resp, err := authClient("correct-horse").Get(site.URL)
	if err != nil || resp.StatusCode != http.StatusOK || srv.sawBasic || srv.accepted["MD5"] != 1 {
		t.Fatalf("got %v %v; basic seen %v, accepted %v", resp, err, srv.sawBasic, srv.accepted)
	}

	basicOnly := newDigestServer("correct-horse")
	basicOnly.basic = true
	site2 := httptest.NewServer(basicOnly)
	defer site2.Close()
	client := authClient("correct-horse")
	for range 3 {
		resp, err := client.Get(site2.URL)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("basic-only: %v %v", resp, err)
		}
		resp.Body.Close()
	}
	if basicOnly.requests != 4 || basicOnly.noAuth != 1 {
		t.Fatalf("basic-only: %d requests, %d without auth; want 4 and 1", basicOnly.requests, basicOnly.noAuth)
	}
}

// Over https Basic goes with the first request (no round trip lost on
// iCloud or Fastmail), and a Digest challenge still switches to Digest.
func TestHTTPSSendsBasicFirstAndSwitchesToDigest(t *testing.T) {
	srv := newDigestServer("correct-horse", "SHA-256")
	site := httptest.NewTLSServer(srv)
	defer site.Close()
	client := &http.Client{Transport: newAuthTransport("mentor", "correct-horse", site.Client().Transport, nil)}
	for range 2 {
		resp, err := client.Get(site.URL)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("got %v %v", resp, err)
		}
		resp.Body.Close()
	}
	if srv.requests != 3 || !srv.sawBasic || srv.accepted["SHA-256"] != 2 {
		t.Fatalf("requests %d, basic %v, accepted %v", srv.requests, srv.sawBasic, srv.accepted)
	}
}

// A sync opens a fresh connection each time: with the service's shared
// AuthCache its first request already answers the last challenge, so an
// unchanged re-sync is one round trip, not a 401 and a retry. A nonce the
// server expired meanwhile (stale=true) costs one more round trip, once.
func TestAuthCacheAuthorizesTheNextConnectionsFirstRequest(t *testing.T) {
	srv := newDigestServer("correct-horse", "SHA-256")
	site := httptest.NewServer(srv)
	defer site.Close()
	cache := NewAuthCache(0)
	get := func() {
		t.Helper()
		client := &http.Client{Transport: newAuthTransport("mentor", "correct-horse", http.DefaultTransport, cache)}
		resp, err := client.Get(site.URL)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("got %v %v", resp, err)
		}
		resp.Body.Close()
	}
	get()
	if srv.requests != 2 || srv.noAuth != 1 {
		t.Fatalf("first connection: %d requests, %d without auth; want 2 and 1", srv.requests, srv.noAuth)
	}
	for range 3 {
		get()
	}
	if srv.requests != 5 || srv.noAuth != 1 || srv.accepted["SHA-256"] != 4 {
		t.Fatalf("later connections: %d requests, %d without auth, accepted %v; want 5, 1, 4", srv.requests, srv.noAuth, srv.accepted)
	}
	srv.mu.Lock()
	srv.nonce++ // expired between syncs
	srv.mu.Unlock()
	get()
	get()
	if srv.requests != 8 || srv.accepted["SHA-256"] != 6 {
		t.Fatalf("after a stale nonce: %d requests, accepted %v; want 8 and 6", srv.requests, srv.accepted)
	}

	// Another account on the same host learns its own way in.
	other := &http.Client{Transport: newAuthTransport("someone-else", "x", http.DefaultTransport, cache)}
	resp, err := other.Get(site.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if srv.noAuth != 2 {
		t.Fatalf("another account reused the mentor's entry (%d requests without auth)", srv.noAuth)
	}
}

func TestAuthCacheIsBounded(t *testing.T) {
	c := NewAuthCache(2)
	c.mu.Lock()
	for _, u := range []string{"a", "b", "c", "d"} {
		c.entry(authKey{host: "h", username: u}, true)
	}
	n := len(c.hosts)
	c.mu.Unlock()
	if n != 2 {
		t.Fatalf("%d entries, want 2", n)
	}
}
