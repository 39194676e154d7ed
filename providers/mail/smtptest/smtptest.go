// Package smtptest runs a real SMTP server in-process for tests: STARTTLS
// or implicit TLS with a throw-away certificate, optional AUTH PLAIN, and
// switches to refuse mail with any reply code.
package smtptest

import (
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Options configure a test server.
type Options struct {
	// StartTLS offers STARTTLS; ImplicitTLS speaks TLS from the first byte
	// (smtps). Both use a self-signed certificate; see ClientTLSConfig.
	StartTLS    bool
	ImplicitTLS bool
	// Username and Password, when set, make AUTH PLAIN mandatory.
	Username, Password string
	// RejectCode, when non-zero, answers the end of DATA with this code
	// (e.g. 451 or 550). It can be changed later with SetRejectCode.
	RejectCode int
	// Delay holds every message this long before the server takes it
	// (while it waits for the recipient): a client killed meanwhile has
	// delivered nothing.
	Delay time.Duration
}

// Message is one mail the server accepted.
type Message struct {
	From string
	To   []string
	Data []byte
	// TLS tells whether the transaction ran encrypted; User is the
	// authenticated user name, if any.
	TLS  bool
	User string
}

// Server is a running test server.
type Server struct {
	// Addr is host:port on the loopback interface.
	Addr string
	// Received gets every accepted message (buffered; a test that sends more
	// than its capacity without reading should use Messages instead).
	Received chan Message

	opts   Options
	client *tls.Config

	mu         sync.Mutex
	rejectCode int
	messages   []Message
}

// StartServer listens on a loopback port until the test ends.
func StartServer(t testing.TB, opts Options) *Server {
	t.Helper()
	s := &Server{Received: make(chan Message, 100), opts: opts, rejectCode: opts.RejectCode}
	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Domain = "smtptest.localhost"
	srv.ReadTimeout, srv.WriteTimeout = 30*time.Second, 30*time.Second
	srv.MaxMessageBytes = 10 << 20
	// Clients that hang up on purpose (failed TLS checks) are not news.
	srv.ErrorLog = log.New(io.Discard, "", 0)
	srv.AllowInsecureAuth = !opts.StartTLS && !opts.ImplicitTLS
	var l net.Listener
	var err error
	if opts.StartTLS || opts.ImplicitTLS {
		cert, pool := selfSigned(t)
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		s.client = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	if opts.ImplicitTLS {
		l, err = tls.Listen("tcp", "127.0.0.1:0", srv.TLSConfig)
	} else {
		l, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatalf("smtptest: listen: %v", err)
	}
	s.Addr = l.Addr().String()
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// URL is the server's address as RENDEZVOUS_SMTP_URL, with the credentials.
func (s *Server) URL() string {
	u := url.URL{Scheme: "smtp", Host: s.Addr}
	if s.opts.ImplicitTLS {
		u.Scheme = "smtps"
	}
	if s.opts.Username != "" {
		u.User = url.UserPassword(s.opts.Username, s.opts.Password)
	}
	return u.String()
}

// ClientTLSConfig trusts the server's certificate (nil without TLS).
func (s *Server) ClientTLSConfig() *tls.Config {
	if s.client == nil {
		return nil
	}
	return s.client.Clone()
}

// SetRejectCode makes the server refuse further messages with code (0
// accepts again).
func (s *Server) SetRejectCode(code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejectCode = code
}

// Messages returns the messages accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	_, isTLS := c.TLSConnectionState()
	return &session{server: s, conn: c, implicitTLS: isTLS}, nil
}

type session struct {
	server      *Server
	conn        *smtp.Conn
	implicitTLS bool
	user        string
	from        string
	to          []string
}

func (ss *session) AuthMechanisms() []string {
	if ss.server.opts.Username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != ss.server.opts.Username || password != ss.server.opts.Password {
			return smtp.ErrAuthFailed // 535, as real servers answer
		}
		ss.user = username
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.server.opts.Username != "" && ss.user == "" {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	time.Sleep(ss.server.opts.Delay)
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.server.mu.Lock()
	defer ss.server.mu.Unlock()
	if code := ss.server.rejectCode; code != 0 {
		return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{code / 100, 0, 0},
			Message: fmt.Sprintf("smtptest refuses this message with %d", code)}
	}
	_, isTLS := ss.conn.TLSConnectionState()
	m := Message{From: ss.from, To: append([]string(nil), ss.to...), Data: data, TLS: isTLS || ss.implicitTLS, User: ss.user}
	ss.server.messages = append(ss.server.messages, m)
	select {
	case ss.server.Received <- m:
	default: // the channel is full; Messages still has it
	}
	return nil
}

func (ss *session) Reset() { ss.from, ss.to = "", nil }

func (ss *session) Logout() error { return nil }
