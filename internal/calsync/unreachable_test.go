package calsync

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
)

// TestUnreachableReasonIsOneSentencePerCause: a failed connection reads
// as one sentence naming the host and what to do, never the chain with
// the internal DNS server's address.
func TestUnreachableReasonIsOneSentencePerCause(t *testing.T) {
	wrap := func(err error) error {
		return fmt.Errorf("%w: PROPFIND: %w", ErrUnreachable, &url.Error{Op: "Propfind", URL: "https://dav.example.org/remote.php/dav", Err: err})
	}
	cases := []struct {
		err  error
		want string
	}{
		{wrap(&net.DNSError{Err: "no such host", Name: "dav.example.org", Server: "10.255.255.53:53", IsNotFound: true}),
			"No server is known by the name dav.example.org: check the calendar address for a typo."},
		{wrap(&net.DNSError{Err: "i/o timeout", Name: "dav.example.org", Server: "10.255.255.53:53", IsTimeout: true}),
			"The name dav.example.org could not be looked up just now; Rendezvous will try again at the next sync."},
		{wrap(&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}),
			"dav.example.org refused the connection: check the address and port, or whether the server is running."},
		{wrap(context.DeadlineExceeded), "dav.example.org did not answer in time; Rendezvous will try again at the next sync."},
		{fmt.Errorf("%w: %w", ErrUnreachable, errors.New("boom")), "The calendar server could not be reached or failed; Rendezvous will try again at the next sync."},
	}
	for _, tc := range cases {
		got := unreachableReason(tc.err, false)
		if got != tc.want {
			t.Errorf("unreachableReason(%v) = %q, want %q", tc.err, got, tc.want)
		}
		if strings.Contains(got, "10.255.255.53") || strings.Count(got, "unreachable") > 0 {
			t.Errorf("the reason leaks the chain: %q", got)
		}
	}
}
