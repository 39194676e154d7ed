// Package mail composes iMIP invitation mails (RFC 6047) and delivers them
// over SMTP or into .eml files.
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	netmail "net/mail"
	"strings"
	"time"

	gomail "github.com/emersion/go-message/mail"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/calendar/ical"
)

// Message is one mail to one recipient.
type Message struct {
	From, To calendar.Person
	Subject  string
	Text     string // required: the plain-text body
	HTML     string // optional alternative
	// ICS is an iCalendar object to send inline and as invite.ics; Method is
	// its iTIP method (REQUEST, CANCEL), which must match the METHOD inside.
	ICS    []byte
	Method string
	// MessageID without angle brackets; generated when empty. A stable one
	// lets receivers drop duplicates if a delivery is retried.
	MessageID string
}

// Sender delivers messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// InviteFilename is the name of the attached calendar file.
const InviteFilename = "invite.ics"

// ErrInvalidMessage reports a message that cannot be composed; retrying it
// cannot help, so it is also permanent.
var ErrInvalidMessage = errors.New("invalid mail message")

// Compose renders m as an RFC 5322 message. With an ICS it is built the way
// Outlook, Gmail and Apple Mail all recognise as an invitation:
//
//	multipart/mixed
//	├─ multipart/alternative
//	│  ├─ text/plain; charset=UTF-8
//	│  ├─ text/html; charset=UTF-8                       (when HTML is set)
//	│  └─ text/calendar; method=REQUEST; charset=UTF-8  (base64)
//	└─ application/ics; name=invite.ics                  (attachment, base64)
//
// The calendar part is base64 because iCalendar requires CRLF line endings
// and we fold lines ourselves: quoted-printable soft breaks would be one
// more transformation for clients to get wrong.
func Compose(m Message, now time.Time) ([]byte, error) {
	if err := validate(m); err != nil {
		return nil, err
	}
	if m.MessageID == "" {
		id, err := newMessageID(m.From.Email)
		if err != nil {
			return nil, err
		}
		m.MessageID = id
	}
	var h gomail.Header
	h.SetAddressList("From", []*gomail.Address{address(m.From)})
	h.SetAddressList("To", []*gomail.Address{address(m.To)})
	h.SetSubject(oneLine(m.Subject))
	h.SetDate(now)
	h.SetMessageID(m.MessageID)
	// RFC 3834: keeps vacation responders from answering our notices.
	h.Set("Auto-Submitted", "auto-generated")

	var buf bytes.Buffer
	if len(m.ICS) == 0 {
		w, err := gomail.CreateInlineWriter(&buf, h)
		if err != nil {
			return nil, fmt.Errorf("mail: compose: %w", err)
		}
		if err := writeAlternatives(w, m); err != nil {
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, fmt.Errorf("mail: compose: %w", err)
		}
		return buf.Bytes(), nil
	}
	w, err := gomail.CreateWriter(&buf, h)
	if err != nil {
		return nil, fmt.Errorf("mail: compose: %w", err)
	}
	inline, err := w.CreateInline()
	if err != nil {
		return nil, fmt.Errorf("mail: compose: %w", err)
	}
	if err := writeAlternatives(inline, m); err != nil {
		return nil, err
	}
	if err := inline.Close(); err != nil {
		return nil, fmt.Errorf("mail: compose: %w", err)
	}
	var ah gomail.AttachmentHeader
	ah.SetContentType("application/ics", map[string]string{"name": InviteFilename})
	ah.SetFilename(InviteFilename)
	if err := writePart(w.CreateAttachment(ah))(m.ICS); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("mail: compose: %w", err)
	}
	return buf.Bytes(), nil
}

func writeAlternatives(w *gomail.InlineWriter, m Message) error {
	type part struct {
		contentType string
		params      map[string]string
		encoding    string
		body        []byte
	}
	parts := []part{{"text/plain", map[string]string{"charset": "UTF-8"}, "quoted-printable", []byte(m.Text)}}
	if m.HTML != "" {
		parts = append(parts, part{"text/html", map[string]string{"charset": "UTF-8"}, "quoted-printable", []byte(m.HTML)})
	}
	if len(m.ICS) > 0 {
		parts = append(parts, part{"text/calendar", map[string]string{"method": m.Method, "charset": "UTF-8"}, "base64", m.ICS})
	}
	for _, p := range parts {
		var ih gomail.InlineHeader
		ih.SetContentType(p.contentType, p.params)
		ih.Set("Content-Transfer-Encoding", p.encoding)
		if err := writePart(w.CreatePart(ih))(p.body); err != nil {
			return err
		}
	}
	return nil
}

// writePart adapts a part constructor's results to "write body and close".
func writePart(pw io.WriteCloser, err error) func([]byte) error {
	return func(body []byte) error {
		if err != nil {
			return fmt.Errorf("mail: compose: %w", err)
		}
		if _, err := pw.Write(body); err != nil {
			return fmt.Errorf("mail: compose: %w", err)
		}
		if err := pw.Close(); err != nil {
			return fmt.Errorf("mail: compose: %w", err)
		}
		return nil
	}
}

func validate(m Message) error {
	for role, p := range map[string]calendar.Person{"sender": m.From, "recipient": m.To} {
		if _, err := netmail.ParseAddress("<" + p.Email + ">"); err != nil || strings.ContainsAny(p.Email, "\r\n<>") {
			return fmt.Errorf("mail: %w: bad %s address %q", ErrInvalidMessage, role, p.Email)
		}
	}
	if strings.TrimSpace(m.Text) == "" {
		return fmt.Errorf("mail: %w: empty plain-text body", ErrInvalidMessage)
	}
	if strings.ContainsAny(m.MessageID, "<>\r\n \t") {
		return fmt.Errorf("mail: %w: bad Message-ID %q", ErrInvalidMessage, m.MessageID)
	}
	if len(m.ICS) == 0 {
		if m.Method != "" {
			return fmt.Errorf("mail: %w: method %s without a calendar", ErrInvalidMessage, m.Method)
		}
		return nil
	}
	switch m.Method {
	case ical.MethodRequest, ical.MethodCancel, "PUBLISH", "REPLY":
	default:
		return fmt.Errorf("mail: %w: unsupported iTIP method %q", ErrInvalidMessage, m.Method)
	}
	// Outlook needs the method in both places and trusts neither alone.
	if !bytes.Contains(m.ICS, []byte("\r\nMETHOD:"+m.Method+"\r\n")) {
		return fmt.Errorf("mail: %w: the calendar does not carry METHOD:%s", ErrInvalidMessage, m.Method)
	}
	return nil
}

func address(p calendar.Person) *gomail.Address {
	return &gomail.Address{Name: oneLine(p.Name), Address: p.Email}
}

// oneLine keeps user text from starting new header lines.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\r' || r == '\n' }), " ")
}

// newMessageID returns a random Message-ID in the sender's domain.
func newMessageID(from string) (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("mail: generate Message-ID: %w", err)
	}
	domain := "rendezvous.invalid"
	if _, d, ok := strings.Cut(from, "@"); ok && d != "" {
		domain = d
	}
	return hex.EncodeToString(b[:]) + "@" + domain, nil
}
