package mail

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/rendezvous/rendezvous/providers/mail/smtptest"
)

func TestSMTPDeliversInviteOverSTARTTLSWithAuth(t *testing.T) {
	srv := smtptest.StartServer(t, smtptest.Options{StartTLS: true, Username: "rdv", Password: "p@ss:wörd"})
	sender, err := NewSMTPSender(srv.URL(), WithTLSConfig(srv.ClientTLSConfig()))
	if err != nil {
		t.Fatal(err)
	}
	m := inviteMessage(t, "REQUEST")
	if err := sender.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := <-srv.Received
	if !got.TLS || got.User != "rdv" {
		t.Errorf("delivered with TLS=%v user=%q, want STARTTLS and AUTH", got.TLS, got.User)
	}
	if got.From != "no-reply@example.org" || len(got.To) != 1 || got.To[0] != mentee.Email {
		t.Errorf("envelope %s -> %v", got.From, got.To)
	}
	checkInviteMail(t, got.Data, m)
}

func TestSMTPImplicitTLS(t *testing.T) {
	srv := smtptest.StartServer(t, smtptest.Options{ImplicitTLS: true, Username: "u", Password: "p"})
	if !strings.HasPrefix(srv.URL(), "smtps://") {
		t.Fatalf("URL %s", srv.URL())
	}
	sender, err := NewSMTPSender(srv.URL(), WithTLSConfig(srv.ClientTLSConfig()))
	if err != nil {
		t.Fatal(err)
	}
	if err := sender.Send(context.Background(), inviteMessage(t, "CANCEL")); err != nil {
		t.Fatal(err)
	}
	if got := <-srv.Received; !got.TLS {
		t.Error("not delivered over TLS")
	}
}

func TestSMTPPlainServerWithoutSTARTTLS(t *testing.T) {
	srv := smtptest.StartServer(t, smtptest.Options{})
	sender, err := NewSMTPSender(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	if err := sender.Send(context.Background(), inviteMessage(t, "REQUEST")); err != nil {
		t.Fatal(err)
	}
	if got := <-srv.Received; got.TLS {
		t.Error("the server offers no TLS, yet TLS is reported")
	}
}

func TestSMTPUntrustedCertificateIsNotDowngraded(t *testing.T) {
	srv := smtptest.StartServer(t, smtptest.Options{StartTLS: true})
	sender, err := NewSMTPSender(srv.URL()) // system roots: the test CA is unknown
	if err != nil {
		t.Fatal(err)
	}
	err = sender.Send(context.Background(), inviteMessage(t, "REQUEST"))
	if err == nil || IsPermanent(err) {
		t.Fatalf("err = %v, want a temporary TLS error", err)
	}
	if len(srv.Messages()) != 0 {
		t.Fatal("the message went out in plain text after a failed handshake")
	}
}

func TestSMTPErrorClassification(t *testing.T) {
	cases := []struct {
		code      int
		permanent bool
	}{{451, false}, {421, false}, {550, true}, {554, true}}
	for _, tc := range cases {
		srv := smtptest.StartServer(t, smtptest.Options{StartTLS: true, RejectCode: tc.code})
		sender, err := NewSMTPSender(srv.URL(), WithTLSConfig(srv.ClientTLSConfig()))
		if err != nil {
			t.Fatal(err)
		}
		err = sender.Send(context.Background(), inviteMessage(t, "REQUEST"))
		if err == nil {
			t.Fatalf("%d: delivery succeeded", tc.code)
		}
		if IsPermanent(err) != tc.permanent || errors.Is(err, ErrPermanent) != tc.permanent {
			t.Errorf("%d: IsPermanent = %v, want %v (%v)", tc.code, IsPermanent(err), tc.permanent, err)
		}
		// The server answers the end of DATA: a 5xx there refuses this
		// message.
		if IsRefused(err) != tc.permanent {
			t.Errorf("%d at the end of DATA: IsRefused = %v, want %v (%v)", tc.code, IsRefused(err), tc.permanent, err)
		}
	}
}

func TestSMTPRejectSwitchAndWrongPassword(t *testing.T) {
	srv := smtptest.StartServer(t, smtptest.Options{StartTLS: true, Username: "u", Password: "right"})
	good, _ := NewSMTPSender(srv.URL(), WithTLSConfig(srv.ClientTLSConfig()))
	srv.SetRejectCode(451)
	if err := good.Send(context.Background(), inviteMessage(t, "REQUEST")); err == nil || IsPermanent(err) {
		t.Fatalf("451: err = %v, want temporary", err)
	}
	srv.SetRejectCode(0)
	if err := good.Send(context.Background(), inviteMessage(t, "REQUEST")); err != nil {
		t.Fatalf("after the switch back: %v", err)
	}
	bad, _ := NewSMTPSender("smtp://u:wrong@"+srv.Addr, WithTLSConfig(srv.ClientTLSConfig()))
	err := bad.Send(context.Background(), inviteMessage(t, "REQUEST"))
	if !IsPermanent(err) {
		t.Fatalf("wrong password: err = %v, want permanent (535)", err)
	}
	if IsRefused(err) {
		t.Errorf("wrong password: %v is the account's failure, not a refusal of the message", err)
	}
}

func TestSMTPServerDownIsTemporary(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	sender, err := NewSMTPSender("smtp://" + addr)
	if err != nil {
		t.Fatal(err)
	}
	err = sender.Send(context.Background(), inviteMessage(t, "REQUEST"))
	if err == nil || IsPermanent(err) {
		t.Fatalf("err = %v, want temporary", err)
	}
}

func TestSMTPInvalidMessageIsPermanent(t *testing.T) {
	srv := smtptest.StartServer(t, smtptest.Options{})
	sender, _ := NewSMTPSender(srv.URL())
	m := inviteMessage(t, "REQUEST")
	m.Method = "CANCEL"
	err := sender.Send(context.Background(), m)
	if !IsPermanent(err) || !errors.Is(err, ErrInvalidMessage) {
		t.Fatalf("err = %v, want permanent ErrInvalidMessage", err)
	}
	if IsRefused(err) {
		t.Errorf("%v never reached the server: not a refusal a fixed build could not end", err)
	}
}

func TestNewSMTPSenderRejectsBadURLs(t *testing.T) {
	for _, raw := range []string{"http://mail.example.org", "smtp://", "smtp://[::1", ""} {
		if _, err := NewSMTPSender(raw); err == nil {
			t.Errorf("NewSMTPSender(%q): want an error", raw)
		}
	}
}
