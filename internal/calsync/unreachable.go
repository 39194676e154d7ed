package calsync

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"syscall"

	"github.com/rendezvous/rendezvous/providers/caldav"
)

// unreachableReason says in one sentence why a calendar server could not
// be reached and what to do, instead of the error chain (which repeats
// itself and names internal hosts such as the DNS server). connecting:
// nothing was stored, so the mentor is the one to try again.
func unreachableReason(err error, connecting bool) string {
	again := "Rendezvous will try again at the next sync"
	if connecting {
		again = "please try again in a moment"
	}
	host := "The calendar server"
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil && u.Hostname() != "" {
			host = u.Hostname()
		}
	}
	var dns *net.DNSError
	var status *caldav.StatusError
	var certInvalid x509.CertificateInvalidError
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var tlsVerify *tls.CertificateVerificationError
	switch {
	case errors.As(err, &dns) && dns.IsNotFound:
		if dns.Name != "" {
			host = dns.Name
		}
		return fmt.Sprintf("No server is known by the name %s: check the calendar address for a typo.", host)
	case errors.As(err, &dns):
		return fmt.Sprintf("The name %s could not be looked up just now; %s.", host, again)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("%s refused the connection: check the address and port, or whether the server is running.", host)
	case errors.As(err, &tlsVerify), errors.As(err, &certInvalid), errors.As(err, &unknownAuthority), errors.As(err, &hostname):
		return fmt.Sprintf("%s's HTTPS certificate is not valid (expired, self-signed or for another name): ask its administrator to fix it.", host)
	case errors.As(err, &status) && status.Code >= 500:
		return fmt.Sprintf("%s answered with an error (HTTP %d); %s.", host, status.Code, again)
	case errors.As(err, &status):
		return fmt.Sprintf("%s refused the request (HTTP %d): check the calendar address.", host, status.Code)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Sprintf("%s did not answer in time; %s.", host, again)
	}
	var timeout net.Error
	if errors.As(err, &timeout) && timeout.Timeout() {
		return fmt.Sprintf("%s did not answer in time; %s.", host, again)
	}
	return fmt.Sprintf("%s could not be reached or failed; %s.", host, again)
}
