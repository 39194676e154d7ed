package jobs_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/internal/jobs"
	"github.com/rendezvous/rendezvous/internal/secret"
)

func testBox(t *testing.T) *secret.Box {
	t.Helper()
	box, err := secret.NewBox(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return box
}

// TestMailArgsSealLinksAndRoundTrip: what a mail job stores names its
// fields explicitly, carries a version, and holds the links sealed; read
// back, it is the same session.
func TestMailArgsSealLinksAndRoundTrip(t *testing.T) {
	box := testBox(t)
	start := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	sess := calendar.Session{UID: "b1@rendezvous", Sequence: 2, Start: start, End: start.Add(30 * time.Minute),
		Summary: "Mentoring: Grace / Ada", Description: "Mentoring session",
		VideoURL: "https://bbb.example.org/join/room?k=moderator-key", ManageURL: "https://rdv.example.org/manage/SECRET-manage-token",
		Organizer: calendar.Person{Name: "Grace", Email: "grace@example.org"}, Attendee: calendar.Person{Name: "Ada", Email: "ada@example.org"},
		Stamp: start.Add(-time.Hour), Created: start.Add(-2 * time.Hour), Modified: start.Add(-time.Hour)}
	args := jobs.MailArgs{BookingID: "b1", Event: "confirmed", Session: jobs.SealSession(box, sess), Language: "en", Timezone: "Europe/Paris"}
	data, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	for _, clear := range []string{"SECRET-manage-token", "/manage/", "moderator-key", "bbb.example.org"} {
		if strings.Contains(string(data), clear) {
			t.Errorf("the stored mail job holds %q in clear: %s", clear, data)
		}
	}
	var fields map[string]any
	json.Unmarshal(data, &fields)
	session, _ := fields["session"].(map[string]any)
	if fields["version"] != float64(jobs.MailArgsVersion) || session["uid"] != "b1@rendezvous" || session["start"] == nil {
		t.Fatalf("the stored job should name its fields and version explicitly: %s", data)
	}
	var back jobs.MailArgs
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	opened, err := back.Session.Open(box)
	if err != nil || opened != sess || back.BookingID != "b1" || back.Timezone != "Europe/Paris" {
		t.Fatalf("round trip: %+v %v", opened, err)
	}
}

// TestMailArgsVersion0StillDecodes: a mail job queued before versions (the
// session by its Go field names, links in clear) is still read.
func TestMailArgsVersion0StillDecodes(t *testing.T) {
	const v0 = `{"booking_id":"b1","event":"rescheduled","session":{"UID":"b1@rendezvous","Sequence":3,` +
		`"Start":"2026-12-07T09:00:00Z","End":"2026-12-07T09:30:00Z","Cancelled":false,"Summary":"Mentoring: Grace / Ada",` +
		`"Description":"Mentoring session","VideoURL":"https://meet.jit.si/rendezvous-x","ManageURL":"https://rdv.example.org/manage/tok",` +
		`"Organizer":{"Name":"Grace","Email":"grace@example.org"},"Attendee":{"Name":"Ada","Email":"ada@example.org"},` +
		`"Stamp":"2026-12-01T08:00:00Z","Created":"2026-11-30T08:00:00Z","Modified":"2026-12-01T08:00:00Z"},` +
		`"to_mentor":false,"language":"fr","timezone":"Europe/Paris","reason":"moved"}`
	var a jobs.MailArgs
	if err := json.Unmarshal([]byte(v0), &a); err != nil {
		t.Fatal(err)
	}
	s, err := a.Session.Open(testBox(t))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	if a.Version != 0 || a.Event != "rescheduled" || a.Language != "fr" || a.Reason != "moved" ||
		s.UID != "b1@rendezvous" || s.Sequence != 3 || !s.Start.Equal(start) || !s.End.Equal(start.Add(30*time.Minute)) ||
		s.VideoURL != "https://meet.jit.si/rendezvous-x" || s.ManageURL != "https://rdv.example.org/manage/tok" ||
		s.Organizer.Email != "grace@example.org" || s.Attendee.Name != "Ada" || s.Summary != "Mentoring: Grace / Ada" {
		t.Fatalf("version 0 read as %+v / %+v", a, s)
	}
}

// TestArgsCarryVersion: every job kind with fields writes its version.
func TestArgsCarryVersion(t *testing.T) {
	for _, args := range []any{jobs.ReminderArgs{BookingID: "b"}, jobs.WritebackArgs{BookingID: "b"},
		jobs.SyncArgs{ConnectionID: "c"}, jobs.SigninMailArgs{MentorID: "m"}, jobs.NoticeMailsArgs{MailsSealed: "v1:x"}} {
		data, _ := json.Marshal(args)
		if !strings.Contains(string(data), `"version":1`) {
			t.Errorf("%T written without its version: %s", args, data)
		}
	}
}

// TestNoticeMailsArgsRoundTrip: a notice's job writes its version, holds
// its mails sealed (no name, address or link in clear, and a handful of
// JSON values for River's index of args), and opens them back, a mail of
// version 0 included; unsealed mails are never written.
func TestNoticeMailsArgsRoundTrip(t *testing.T) {
	box := testBox(t)
	mails := []jobs.MailArgs{{BookingID: "b1", Event: "confirmed", Language: "en",
		Session: jobs.SessionArgs{UID: "b1@rendezvous", Attendee: jobs.PersonArgs{Name: "Ada Lovelace", Email: "ada@example.org"}}},
		{BookingID: "b1", Event: "confirmed", ToMentor: true, Language: "fr"}}
	in, err := jobs.SealNoticeMails(box, mails)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"version":1`) || strings.Contains(string(data), "Ada") || strings.Contains(string(data), "ada@example.org") {
		t.Fatalf("want the job's version and the mails sealed: %s", data)
	}
	var fields map[string]any
	if err := json.Unmarshal(data, &fields); err != nil || len(fields) > 4 {
		t.Fatalf("the stored args have %d values, want at most 4: %s", len(fields), data)
	}
	var back jobs.NoticeMailsArgs
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	got, err := back.Open(box)
	if err != nil {
		t.Fatal(err)
	}
	if back.Version != jobs.ArgsVersion || back.BookingID != "b1" || back.Event != "confirmed" || len(got) != 2 || !got[1].ToMentor ||
		got[1].Language != "fr" || got[0].Session.Attendee.Email != "ada@example.org" || got[0].Version != jobs.MailArgsVersion {
		t.Fatalf("read back %+v, %+v", back, got)
	}
	old := jobs.NoticeMailsArgs{BookingID: "b2", Event: "reminder",
		MailsSealed: box.SealString(`[{"booking_id":"b2","event":"reminder","session":{"UID":"b2@rendezvous","VideoURL":"https://v/x"}}]`)}
	if got, err := old.Open(box); err != nil || got[0].Session.UID != "b2@rendezvous" {
		t.Fatalf("a version 0 mail inside: %+v, %v", got, err)
	}
	if _, err := json.Marshal(jobs.NoticeMailsArgs{Mails: mails}); err == nil {
		t.Fatal("mails not sealed must not be written")
	}
	if _, err := (jobs.NoticeMailsArgs{MailsSealed: "v1:forged"}).Open(box); err == nil {
		t.Fatal("a forged seal must not open")
	}
}
