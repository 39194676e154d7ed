package mail

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"
	gomessage "github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/calendar/ical"
)

var mentor = calendar.Person{Name: "Éloïse Straßer-李", Email: "mentor@example.org"}
var mentee = calendar.Person{Name: "Zoë Ångström", Email: "mentee@example.net"}

func inviteMessage(t *testing.T, method string) Message {
	t.Helper()
	start := time.Date(2026, 12, 7, 13, 30, 0, 0, time.UTC)
	ics, err := ical.EncodeInvite(method, calendar.Session{
		UID: "uid-1@rendezvous", Sequence: 1, Start: start, End: start.Add(30 * time.Minute),
		Summary: "Séance de mentorat — Zoë", VideoURL: "https://meet.example.org/r",
		Organizer: mentor, Attendee: mentee, Stamp: start.Add(-time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	return Message{
		From: calendar.Person{Name: "Rendezvous", Email: "no-reply@example.org"}, To: mentee,
		Subject: "Séance confirmée avec Éloïse — 李", Text: "Bonjour Zoë,\nvotre séance est confirmée.",
		HTML: "<p>Bonjour Zoë</p>", ICS: ics, Method: method, MessageID: "abc.1@example.org",
	}
}

// parsedMail is the part tree of a composed message, flattened.
type parsedMail struct {
	header gomail.Header
	parts  []parsedPart
}

type parsedPart struct {
	path        string // e.g. "multipart/mixed/multipart/alternative/text/calendar"
	contentType string
	params      map[string]string
	disposition string
	dispParams  map[string]string
	body        []byte
}

func parseMail(t *testing.T, data []byte) parsedMail {
	t.Helper()
	entity, err := gomessage.Read(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("go-message cannot read the mail: %v\n%s", err, data)
	}
	pm := parsedMail{header: gomail.Header{Header: entity.Header}}
	walkParts(t, entity, "", &pm.parts)
	return pm
}

func walkParts(t *testing.T, e *gomessage.Entity, prefix string, out *[]parsedPart) {
	t.Helper()
	ct, params, err := e.Header.ContentType()
	if err != nil {
		t.Fatalf("bad Content-Type: %v", err)
	}
	path := strings.TrimPrefix(prefix+"/"+ct, "/")
	if mr := e.MultipartReader(); mr != nil {
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("reading parts of %s: %v", path, err)
			}
			walkParts(t, p, path, out)
		}
		return
	}
	body, err := io.ReadAll(e.Body)
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	disp, dispParams, _ := e.Header.ContentDisposition()
	*out = append(*out, parsedPart{path: path, contentType: ct, params: params, disposition: disp, dispParams: dispParams, body: body})
}

func (pm parsedMail) part(t *testing.T, path string) parsedPart {
	t.Helper()
	for _, p := range pm.parts {
		if p.path == path {
			return p
		}
	}
	var paths []string
	for _, p := range pm.parts {
		paths = append(paths, p.path)
	}
	t.Fatalf("no part %s; parts: %v", path, paths)
	return parsedPart{}
}

// checkInviteMail verifies the structure Outlook, Gmail and Apple Mail need.
func checkInviteMail(t *testing.T, data []byte, want Message) {
	t.Helper()
	pm := parseMail(t, data)
	if subject, err := pm.header.Subject(); err != nil || subject != want.Subject {
		t.Errorf("Subject = %q (%v), want %q", subject, err, want.Subject)
	}
	if raw := pm.header.Get("Subject"); !strings.HasPrefix(raw, "=?") {
		t.Errorf("UTF-8 subject is not RFC 2047 encoded: %q", raw)
	}
	to, err := pm.header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Name != want.To.Name || to[0].Address != want.To.Email {
		t.Errorf("To = %v (%v)", to, err)
	}
	if id, _ := pm.header.MessageID(); id != want.MessageID {
		t.Errorf("Message-ID = %q", id)
	}
	for _, h := range []string{"Date", "MIME-Version", "From"} {
		if pm.header.Get(h) == "" {
			t.Errorf("no %s header", h)
		}
	}
	text := pm.part(t, "multipart/mixed/multipart/alternative/text/plain")
	// Text parts travel with CRLF line endings, as RFC 5322 requires.
	if strings.ReplaceAll(string(text.body), "\r\n", "\n") != want.Text || !strings.EqualFold(text.params["charset"], "utf-8") {
		t.Errorf("text part = %q %v", text.body, text.params)
	}
	pm.part(t, "multipart/mixed/multipart/alternative/text/html")
	inline := pm.part(t, "multipart/mixed/multipart/alternative/text/calendar")
	if inline.params["method"] != want.Method || !strings.EqualFold(inline.params["charset"], "utf-8") {
		t.Errorf("text/calendar params = %v, want method=%s charset=UTF-8", inline.params, want.Method)
	}
	if !bytes.Equal(inline.body, want.ICS) {
		t.Error("inline calendar differs from the ICS")
	}
	cal, err := goical.NewDecoder(bytes.NewReader(inline.body)).Decode()
	if err != nil {
		t.Fatalf("go-ical cannot read the inline calendar: %v", err)
	}
	if m := cal.Props.Get("METHOD"); m == nil || m.Value != want.Method {
		t.Errorf("METHOD in the body = %v, want %s", m, want.Method)
	}
	attendee := false
	for _, a := range cal.Events()[0].Props.Values("ATTENDEE") {
		if a.Value == "mailto:"+want.To.Email && a.Params.Get("CN") == want.To.Name {
			attendee = true
		}
	}
	if !attendee {
		t.Error("the recipient is not an ATTENDEE with their UTF-8 name")
	}
	attachment := pm.part(t, "multipart/mixed/application/ics")
	if attachment.disposition != "attachment" || attachment.dispParams["filename"] != "invite.ics" {
		t.Errorf("attachment disposition = %q %v", attachment.disposition, attachment.dispParams)
	}
	if !bytes.Equal(attachment.body, want.ICS) {
		t.Error("attached invite.ics differs from the ICS")
	}
}
