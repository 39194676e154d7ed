package netguard

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestAddressCheck(t *testing.T) {
	cases := []struct {
		address      string
		strict       bool // allowed when AllowPrivate is false
		allowPrivate bool // allowed when AllowPrivate is true
	}{
		{"93.184.215.14:443", true, true},
		{"[2606:4700::6810:84e5]:8443", true, true},
		{"127.0.0.1:5232", false, true},
		{"[::1]:80", false, true},
		{"10.1.2.3:80", false, true},
		{"172.16.0.1:80", false, true},
		{"192.168.1.10:80", false, true},
		{"100.64.0.1:80", false, true},   // CGNAT
		{"169.254.10.1:80", false, true}, // link-local
		{"0.0.0.0:80", false, true},
		{"[::]:80", false, true},
		{"224.0.0.1:80", false, true},
		{"[fe80::1]:80", false, true},
		{"[fc00::1]:80", false, true},
		{"[::ffff:127.0.0.1]:80", false, true}, // IPv4-mapped loopback
		{"169.254.169.254:80", false, false},
		{"100.100.100.200:80", false, false},
		{"[fd00:ec2::254]:80", false, false},
		{"[::ffff:169.254.169.254]:80", false, false},
	}
	strict, relaxed := newAddressCheck(false), newAddressCheck(true)
	for _, tc := range cases {
		network := "tcp4"
		if netip.MustParseAddrPort(tc.address).Addr().Is6() {
			network = "tcp6"
		}
		for _, check := range []struct {
			name    string
			control dialControl
			allowed bool
		}{{"strict", strict, tc.strict}, {"allowPrivate", relaxed, tc.allowPrivate}} {
			err := check.control(network, tc.address, nil)
			if check.allowed && err != nil {
				t.Errorf("%s %s: refused: %v", check.name, tc.address, err)
			}
			if !check.allowed && !errors.Is(err, ErrForbiddenAddress) {
				t.Errorf("%s %s: got %v, want ErrForbiddenAddress", check.name, tc.address, err)
			}
		}
	}
}

func TestClientRefusesLoopback(t *testing.T) {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer server.Close()

	_, err := NewHTTPClient(Options{}).Get(server.URL)
	if !errors.Is(err, ErrForbiddenAddress) {
		t.Fatalf("got %v, want ErrForbiddenAddress", err)
	}

	resp, err := NewHTTPClient(Options{AllowPrivate: true}).Get(server.URL)
	if err != nil {
		t.Fatalf("AllowPrivate: %v", err)
	}
	resp.Body.Close()
}

// A host name is checked on the address it resolves to, so a name pointing
// at a private address (or rebinding to one) is refused at dial time. The
// same dial path serves redirects.
func TestClientRefusesNameResolvingToLoopback(t *testing.T) {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer server.Close()
	_, port, _ := net.SplitHostPort(server.Listener.Addr().String())
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, "http://localhost:"+port+"/", nil)
	_, err := NewHTTPClient(Options{}).Do(req)
	if !errors.Is(err, ErrForbiddenAddress) {
		t.Fatalf("got %v, want ErrForbiddenAddress", err)
	}
}

func TestClientTransportSettings(t *testing.T) {
	client := NewHTTPClient(Options{})
	transport := client.Transport.(*http.Transport)
	if transport.TLSClientConfig.MinVersion != tls.VersionTLS12 {
		t.Errorf("MinVersion = %x, want TLS 1.2", transport.TLSClientConfig.MinVersion)
	}
	if transport.Proxy != nil {
		t.Error("a proxy would bypass the address check")
	}
	if client.Timeout != DefaultTimeout || transport.ResponseHeaderTimeout == 0 || transport.TLSHandshakeTimeout == 0 {
		t.Error("timeouts not set")
	}
}

func TestCheckHost(t *testing.T) {
	ctx := context.Background()
	for _, host := range []string{"127.0.0.1", "localhost", "10.1.2.3", "::1", "169.254.169.254"} {
		if err := CheckHost(ctx, host, false); !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("%s: %v, want refused", host, err)
		}
	}
	if err := CheckHost(ctx, "127.0.0.1", true); err != nil {
		t.Errorf("loopback while private hosts are allowed: %v", err)
	}
	if err := CheckHost(ctx, "169.254.169.254", true); !errors.Is(err, ErrForbiddenAddress) {
		t.Errorf("metadata endpoint while private hosts are allowed: %v", err)
	}
	if err := CheckHost(ctx, "93.184.215.14", false); err != nil {
		t.Errorf("public address: %v", err)
	}
}
