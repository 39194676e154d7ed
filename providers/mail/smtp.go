package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// ErrPermanent marks failures that will not go away by retrying: the server
// answered 5xx, or the message itself is invalid. Everything else (4xx,
// timeouts, refused connections, TLS trouble) is temporary.
var ErrPermanent = errors.New("permanent mail failure")

// IsPermanent reports whether retrying err is pointless.
func IsPermanent(err error) bool { return errors.Is(err, ErrPermanent) }

// ErrRefused marks the permanent refusal of one message: a 5xx to its
// recipient or to its content. It is refused again whenever it is offered.
// A 5xx to the connection or the account (EHLO, AUTH, MAIL FROM) is
// permanent but not a refusal: fixing the configuration ends it.
var ErrRefused = fmt.Errorf("message refused: %w", ErrPermanent)

// IsRefused reports whether the server refused this very message for good.
func IsRefused(err error) bool { return errors.Is(err, ErrRefused) }

// aboutMessage reports whether a 5xx at this SMTP step concerns the
// message rather than the connection or the account.
func aboutMessage(step string) bool {
	return step == "RCPT TO" || step == "DATA" || step == "end of DATA"
}

// deliveryError carries the step that failed and whether it is permanent.
type deliveryError struct {
	step      string
	err       error
	permanent bool
}

func (e *deliveryError) Error() string { return "mail: smtp " + e.step + ": " + e.err.Error() }
func (e *deliveryError) Unwrap() error { return e.err }
func (e *deliveryError) Is(target error) bool {
	return e.permanent && (target == ErrPermanent || target == ErrRefused && aboutMessage(e.step))
}

func classify(step string, err error) error {
	var reply *smtp.SMTPError
	permanent := errors.As(err, &reply) && reply.Code >= 500 && reply.Code < 600
	return &deliveryError{step: step, err: err, permanent: permanent}
}

// SMTPSender delivers mail through one SMTP server.
type SMTPSender struct {
	addr        string // host:port
	host        string
	implicitTLS bool
	username    string
	password    string
	tlsConfig   *tls.Config
	timeout     time.Duration
	localName   string
}

// SMTPOption adjusts an SMTPSender.
type SMTPOption func(*SMTPSender)

// WithTLSConfig sets the TLS configuration (e.g. a test CA); ServerName is
// filled in from the URL's host when empty.
func WithTLSConfig(c *tls.Config) SMTPOption {
	return func(s *SMTPSender) { s.tlsConfig = c.Clone() }
}

// WithTimeout bounds one whole delivery, connection included (default 60 s).
func WithTimeout(d time.Duration) SMTPOption { return func(s *SMTPSender) { s.timeout = d } }

// WithLocalName sets the EHLO name (default: the machine's host name).
func WithLocalName(name string) SMTPOption { return func(s *SMTPSender) { s.localName = name } }

// NewSMTPSender parses smtp://user:pass@host:port (STARTTLS whenever the
// server offers it, port 25 by default) or smtps://… (implicit TLS, port
// 465 by default).
func NewSMTPSender(rawURL string, opts ...SMTPOption) (*SMTPSender, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("mail: SMTP URL: %w", err)
	}
	s := &SMTPSender{host: u.Hostname(), timeout: 60 * time.Second, localName: "localhost"}
	port := u.Port()
	switch strings.ToLower(u.Scheme) {
	case "smtp":
		if port == "" {
			port = "25"
		}
	case "smtps":
		s.implicitTLS = true
		if port == "" {
			port = "465"
		}
	default:
		return nil, fmt.Errorf("mail: SMTP URL scheme %q: want smtp or smtps", u.Scheme)
	}
	if s.host == "" {
		return nil, fmt.Errorf("mail: SMTP URL has no host")
	}
	s.addr = net.JoinHostPort(s.host, port)
	if u.User != nil {
		s.username = u.User.Username()
		s.password, _ = u.User.Password()
	}
	if name, err := os.Hostname(); err == nil && name != "" {
		s.localName = name
	}
	for _, opt := range opts {
		opt(s)
	}
	if s.tlsConfig == nil {
		s.tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if s.tlsConfig.ServerName == "" {
		s.tlsConfig.ServerName = s.host
	}
	return s, nil
}

// Send composes m and delivers it in one SMTP transaction. It does not
// retry: the job engine does, guided by IsPermanent.
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	data, err := Compose(m, time.Now())
	if err != nil {
		return &deliveryError{step: "compose", err: err, permanent: true}
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if err := s.deliver(ctx, m, data); err != nil {
		if ctx.Err() != nil {
			// The real cause of a "closed connection" is the deadline.
			return fmt.Errorf("%w (%w)", err, ctx.Err())
		}
		return err
	}
	return nil
}

func (s *SMTPSender) deliver(ctx context.Context, m Message, data []byte) error {
	c, err := s.connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := s.authenticate(c); err != nil {
		return err
	}
	if err := c.Mail(m.From.Email, nil); err != nil {
		return classify("MAIL FROM", err)
	}
	if err := c.Rcpt(m.To.Email, nil); err != nil {
		return classify("RCPT TO", err)
	}
	w, err := c.Data()
	if err != nil {
		return classify("DATA", err)
	}
	if _, err := w.Write(data); err != nil {
		return classify("DATA", err)
	}
	if err := w.Close(); err != nil {
		return classify("end of DATA", err)
	}
	// The message is accepted at this point; a failed QUIT changes nothing.
	_ = c.Quit()
	return nil
}

// connect dials, then upgrades with STARTTLS when the server offers it. It
// never falls back to plain text after a failed TLS handshake: that would let
// an attacker strip encryption.
func (s *SMTPSender) connect(ctx context.Context) (*smtp.Client, error) {
	conn, err := s.dial(ctx)
	if err != nil {
		return nil, err
	}
	if s.implicitTLS {
		return s.hello(smtp.NewClient(conn))
	}
	c, err := smtp.NewClientStartTLS(conn, s.tlsConfig)
	if err == nil {
		return s.hello(c)
	}
	// go-smtp offers no way to ask for STARTTLS support first, so redial in
	// plain text only when the server does not offer it at all.
	if !strings.Contains(err.Error(), "doesn't support STARTTLS") {
		return nil, classify("STARTTLS", err)
	}
	conn, err = s.dial(ctx)
	if err != nil {
		return nil, err
	}
	return s.hello(smtp.NewClient(conn))
}

func (s *SMTPSender) dial(ctx context.Context) (net.Conn, error) {
	var conn net.Conn
	var err error
	dialer := &net.Dialer{}
	if s.implicitTLS {
		conn, err = (&tls.Dialer{NetDialer: dialer, Config: s.tlsConfig}).DialContext(ctx, "tcp", s.addr)
	} else {
		conn, err = dialer.DialContext(ctx, "tcp", s.addr)
	}
	if err != nil {
		return nil, classify("connect to "+s.addr, err)
	}
	// go-smtp resets connection deadlines on every command, so the overall
	// bound is enforced by closing the connection when ctx ends (Send's
	// deferred cancel also fires this once delivery is over).
	context.AfterFunc(ctx, func() { conn.Close() })
	return conn, nil
}

func (s *SMTPSender) hello(c *smtp.Client) (*smtp.Client, error) {
	c.CommandTimeout, c.SubmissionTimeout = s.timeout, s.timeout
	if err := c.Hello(s.localName); err != nil {
		c.Close()
		return nil, classify("EHLO", err)
	}
	return c, nil
}

// authenticate logs in when the URL has credentials, with PLAIN or LOGIN,
// and only over TLS or to a loopback server, as net/smtp does.
func (s *SMTPSender) authenticate(c *smtp.Client) error {
	if s.username == "" {
		return nil
	}
	if _, isTLS := c.TLSConnectionState(); !isTLS && !isLoopback(s.host) {
		return &deliveryError{step: "AUTH", err: errors.New("refusing to send credentials without TLS: the server offers no STARTTLS")}
	}
	var client sasl.Client
	switch {
	case c.SupportsAuth(sasl.Plain):
		client = sasl.NewPlainClient("", s.username, s.password)
	case c.SupportsAuth(sasl.Login):
		client = sasl.NewLoginClient(s.username, s.password)
	default:
		return &deliveryError{step: "AUTH", err: errors.New("the server offers neither AUTH PLAIN nor LOGIN")}
	}
	if err := c.Auth(client); err != nil {
		return classify("AUTH", err)
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// compile-time check
var _ Sender = (*SMTPSender)(nil)
