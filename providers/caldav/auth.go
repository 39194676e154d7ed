package caldav

import (
	"net/http"
	"strings"
	"sync"

	"github.com/icholy/digest"
)

// authTransport adds the account's credentials to every request, including
// those to another host after a redirect (iCloud homes live on pNN hosts),
// which http.Client would otherwise strip. It speaks Basic (iCloud,
// Fastmail, most servers) and HTTP Digest per RFC 7616 with MD5 or
// SHA-256 and qop=auth (Baïkal's default), whichever the server asks for:
//
//   - Over https the first request carries Basic at once, which saves a
//     round trip on the common servers; a Digest challenge then switches
//     the host to Digest.
//   - Over plain http (allowed only for private hosts) nothing is sent until
//     the server's 401 says which scheme it takes, so a Digest server never
//     sees the password in clear text. Basic is used there only when the
//     server offers no Digest challenge we can answer.
//
// Digest keeps the server's challenge per host and account and answers it
// on every later request with a rising nonce count, so a sync costs no
// extra round trips; a stale or replaced nonce is answered once more.
// What a host asked for is kept in an AuthCache that outlives the
// connection, so the next sync of the account authorizes its very first
// request (one round trip for an unchanged calendar, not two).
type authTransport struct {
	username, password string
	next               http.RoundTripper
	cache              *AuthCache
}

// AuthCache remembers, per host and account, which scheme the server
// takes and its last Digest challenge, between connections: a sync opens
// a fresh connection each time, and without it would pay a 401 round
// trip first. A nonce is not a secret (the server sent it in clear);
// the password never enters the cache. Safe for concurrent use; bounded.
type AuthCache struct {
	mu    sync.Mutex
	hosts map[authKey]*hostAuth
	max   int
}

// authKey is one account on one host.
type authKey struct{ host, username string }

// defaultAuthCacheEntries bounds an AuthCache: one entry per account.
const defaultAuthCacheEntries = 50_000

// NewAuthCache returns an empty cache of at most max accounts (0: a
// default of 50,000); when full, an arbitrary entry makes room, which
// only costs that account one challenge round trip.
func NewAuthCache(max int) *AuthCache {
	if max <= 0 {
		max = defaultAuthCacheEntries
	}
	return &AuthCache{hosts: map[authKey]*hostAuth{}, max: max}
}

// entry returns the account's entry, created when create is set; the
// caller holds c.mu.
func (c *AuthCache) entry(k authKey, create bool) *hostAuth {
	h := c.hosts[k]
	if h == nil && create {
		if len(c.hosts) >= c.max {
			for old := range c.hosts {
				delete(c.hosts, old)
				break
			}
		}
		h = &hostAuth{}
		c.hosts[k] = h
	}
	return h
}

// hostAuth is what one host asked for.
type hostAuth struct {
	basic bool              // the host takes Basic
	chal  *digest.Challenge // the host's current Digest challenge
	count int               // nonce count sent with chal
}

func newAuthTransport(username, password string, next http.RoundTripper, cache *AuthCache) http.RoundTripper {
	if username == "" && password == "" {
		return next
	}
	if cache == nil {
		cache = NewAuthCache(0)
	}
	return &authTransport{username: username, password: password, next: next, cache: cache}
}

func (t *authTransport) key(req *http.Request) authKey {
	return authKey{host: req.URL.Host, username: t.username}
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	first, sentDigest, err := t.authorize(req)
	if err != nil {
		return nil, err
	}
	resp, err := t.next.RoundTrip(first)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return resp, nil // the body cannot be sent twice
	}
	if !t.learn(req, resp, first.Header.Get("Authorization") != "", sentDigest) {
		return resp, nil // nothing new to try: the credentials are wrong
	}
	second, _, err := t.authorize(req)
	if err != nil {
		resp.Body.Close()
		return nil, err
	}
	if req.GetBody != nil {
		if second.Body, err = req.GetBody(); err != nil {
			resp.Body.Close()
			return nil, err
		}
	}
	resp.Body.Close()
	return t.next.RoundTrip(second)
}

// authorize clones req with the credentials the host is known to take. It
// reports the Digest nonce it answered, if any.
func (t *authTransport) authorize(req *http.Request) (*http.Request, string, error) {
	out := req.Clone(req.Context())
	t.cache.mu.Lock()
	defer t.cache.mu.Unlock()
	h := t.cache.entry(t.key(req), false)
	switch {
	case h != nil && h.chal != nil:
		h.count++
		cred, err := digest.Digest(h.chal, digest.Options{
			Method: req.Method, URI: req.URL.RequestURI(), GetBody: req.GetBody,
			Count: h.count, Username: t.username, Password: t.password,
		})
		if err != nil {
			return nil, "", err
		}
		out.Header.Set("Authorization", cred.String())
		return out, h.chal.Nonce, nil
	case h != nil && h.basic, h == nil && req.URL.Scheme == "https":
		out.SetBasicAuth(t.username, t.password)
	}
	return out, "", nil
}

// learn reads the challenges of a 401 and reports whether a retry can do
// better: a Digest challenge other than the one just answered (a new or
// stale nonce), or Basic when none was sent.
func (t *authTransport) learn(req *http.Request, resp *http.Response, sentAuth bool, sentNonce string) bool {
	chal := strongestDigest(resp.Header)
	offersBasic := false
	for _, v := range resp.Header.Values("WWW-Authenticate") {
		if len(v) >= 5 && strings.EqualFold(v[:5], "basic") {
			offersBasic = true
		}
	}
	t.cache.mu.Lock()
	defer t.cache.mu.Unlock()
	h := t.cache.entry(t.key(req), true)
	switch {
	case chal != nil:
		if sentNonce != "" && chal.Nonce == sentNonce && !chal.Stale {
			return false // our answer to this very nonce was refused
		}
		h.basic, h.chal, h.count = false, chal, 0
		return true
	case offersBasic && !sentAuth:
		h.basic, h.chal = true, nil
		return true
	}
	return false
}

// strongestDigest picks the Digest challenge to answer: SHA-256 over MD5
// when the server offers both (RFC 7616 section 3.7), and only challenges
// with qop=auth or no qop (auth-int would hash every body).
func strongestDigest(header http.Header) *digest.Challenge {
	var best *digest.Challenge
	rank := func(c *digest.Challenge) int {
		switch strings.ToUpper(c.Algorithm) {
		case "SHA-256":
			return 2
		case "", "MD5":
			return 1
		}
		return 0
	}
	for _, v := range header.Values("WWW-Authenticate") {
		if !digest.IsDigest(v) {
			continue
		}
		c, err := digest.ParseChallenge(v)
		if err != nil || rank(c) == 0 || (len(c.QOP) > 0 && !c.SupportsQOP("auth")) {
			continue
		}
		if best == nil || rank(c) > rank(best) {
			best = c
		}
	}
	return best
}
