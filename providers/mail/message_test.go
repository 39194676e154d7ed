package mail

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var composeTime = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

func TestComposeInvite(t *testing.T) {
	for _, method := range []string{"REQUEST", "CANCEL"} {
		t.Run(method, func(t *testing.T) {
			m := inviteMessage(t, method)
			data, err := Compose(m, composeTime)
			if err != nil {
				t.Fatal(err)
			}
			checkInviteMail(t, data, m)
		})
	}
}

func TestComposeWithoutInviteIsAlternativeOnly(t *testing.T) {
	m := inviteMessage(t, "REQUEST")
	m.ICS, m.Method, m.HTML, m.MessageID = nil, "", "", ""
	data, err := Compose(m, composeTime)
	if err != nil {
		t.Fatal(err)
	}
	pm := parseMail(t, data)
	if len(pm.parts) != 1 || pm.parts[0].path != "multipart/alternative/text/plain" {
		t.Errorf("parts = %+v", pm.parts)
	}
	id, _ := pm.header.MessageID()
	if !strings.HasSuffix(id, "@example.org") || len(id) < 20 {
		t.Errorf("generated Message-ID %q", id)
	}
}

func TestComposeRejectsInvalidMessages(t *testing.T) {
	good := inviteMessage(t, "REQUEST")
	cases := map[string]func(*Message){
		"method mismatch":    func(m *Message) { m.Method = "CANCEL" },
		"no method":          func(m *Message) { m.Method = "" },
		"method without ics": func(m *Message) { m.ICS = nil },
		"bad recipient":      func(m *Message) { m.To.Email = "not an address" },
		"header injection":   func(m *Message) { m.To.Email = "a@example.org>\r\nBcc: <x@example.org" },
		"empty text":         func(m *Message) { m.Text = " " },
		"bad message id":     func(m *Message) { m.MessageID = "<x@y>" },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			m := good
			mutate(&m)
			_, err := Compose(m, composeTime)
			if !errors.Is(err, ErrInvalidMessage) {
				t.Fatalf("err = %v, want ErrInvalidMessage", err)
			}
		})
	}
}

func TestComposeKeepsSubjectOnOneLine(t *testing.T) {
	m := inviteMessage(t, "REQUEST")
	m.Subject = "Hello\r\nBcc: victim@example.org"
	data, err := Compose(m, composeTime)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "\r\nBcc:") {
		t.Fatal("subject injected a header")
	}
}
