// Package netguard builds HTTP clients that refuse to connect to addresses a
// user-supplied URL must never reach (loopback, private networks, cloud
// metadata endpoints), so that a calendar URL cannot be used for SSRF. It
// sits with the providers, which reach such URLs, so that they need no
// internal package; the core builds the client and passes it in.
package netguard

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	"code.dny.dev/ssrf"
)

// ErrForbiddenAddress is returned (wrapped) when a connection is refused
// because the destination resolved to a forbidden address.
var ErrForbiddenAddress = errors.New("destination address is not allowed")

// Options configures NewHTTPClient.
type Options struct {
	// AllowPrivate permits loopback, private and link-local destinations
	// (tests, intranet servers). Cloud metadata endpoints stay forbidden.
	AllowPrivate bool
	// Timeout bounds a whole request including reading the body; zero means
	// DefaultTimeout.
	Timeout time.Duration
}

// DefaultTimeout is the whole-request timeout used when Options.Timeout is 0.
const DefaultTimeout = 60 * time.Second

// Transport timeouts: generous enough for slow home servers, short enough
// that a dead server does not hold a sync worker for minutes.
const (
	dialTimeout           = 10 * time.Second
	tlsHandshakeTimeout   = 10 * time.Second
	responseHeaderTimeout = 30 * time.Second
	idleConnTimeout       = 90 * time.Second
)

// metadataAddresses are cloud instance metadata endpoints. They are refused
// even when private addresses are allowed: no calendar server lives there,
// and reaching them leaks instance credentials.
var metadataAddresses = []netip.Addr{
	netip.MustParseAddr("169.254.169.254"), // AWS, GCP, Azure, OpenStack, DigitalOcean
	netip.MustParseAddr("169.254.170.2"),   // AWS ECS task metadata
	netip.MustParseAddr("169.254.170.23"),  // AWS EKS pod identity
	netip.MustParseAddr("100.100.100.200"), // Alibaba Cloud
	netip.MustParseAddr("fd00:ec2::254"),   // AWS over IPv6
	netip.MustParseAddr("fd00:ec2::23"),    // AWS EKS pod identity over IPv6
}

// NewHTTPClient returns a client whose every connection, redirects included,
// is checked at dial time against the resolved IP address, which also defeats
// DNS rebinding. Environment proxies are ignored: through a proxy the check
// would see the proxy's address, not the destination's.
func NewHTTPClient(opts Options) *http.Client {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	dialer := &net.Dialer{
		Timeout:   dialTimeout,
		KeepAlive: 30 * time.Second,
		Control:   newAddressCheck(opts.AllowPrivate),
	}
	transport := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   tlsHandshakeTimeout,
		ResponseHeaderTimeout: responseHeaderTimeout,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       idleConnTimeout,
		MaxIdleConnsPerHost:   4,
	}
	return &http.Client{Transport: transport, Timeout: timeout}
}

// CheckHost resolves host and refuses it (ErrForbiddenAddress) when any
// of its addresses is one a client of these options would refuse to dial:
// a clear answer when a URL is registered. The dial-time check still
// guards every connection, since DNS can change afterwards. A host that
// does not resolve passes: it may exist later.
func CheckHost(ctx context.Context, host string, allowPrivate bool) error {
	check := newAddressCheck(allowPrivate)
	addrs := []netip.Addr{}
	if ip, err := netip.ParseAddr(host); err == nil {
		addrs = append(addrs, ip)
	} else if resolved, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host); err == nil {
		addrs = resolved
	}
	for _, ip := range addrs {
		network := "tcp6"
		if ip.Unmap().Is4() {
			network = "tcp4"
		}
		if err := check(network, netip.AddrPortFrom(ip.Unmap(), 443).String(), nil); err != nil {
			return err
		}
	}
	return nil
}

// dialControl is the signature of net.Dialer.Control.
type dialControl func(network, address string, conn syscall.RawConn) error

// newAddressCheck returns the dial-time check. Any port is allowed because
// CalDAV servers commonly listen on 5232, 8008, 8443 and the like.
func newAddressCheck(allowPrivate bool) dialControl {
	guardian := ssrf.New(ssrf.WithAnyPort())
	return func(network, address string, conn syscall.RawConn) error {
		addrPort, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%w: cannot parse %q: %w", ErrForbiddenAddress, address, err)
		}
		ip := addrPort.Addr().Unmap()
		for _, metadata := range metadataAddresses {
			if ip == metadata {
				return fmt.Errorf("%w: %s is a cloud metadata endpoint", ErrForbiddenAddress, ip)
			}
		}
		if allowPrivate {
			return nil
		}
		if err := guardian.Safe(network, address, conn); err != nil {
			return fmt.Errorf("%w: %s is a private, loopback or reserved address: %w", ErrForbiddenAddress, ip, err)
		}
		return nil
	}
}
