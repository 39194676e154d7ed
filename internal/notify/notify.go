// Package notify writes the mails the booking service sends: confirmation,
// reschedule, cancellation and reminder, in English or French, as plain text
// and HTML, with the matching iMIP invitation.
package notify

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	htmltemplate "html/template"
	"strings"
	"sync"
	texttemplate "text/template"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/calendar/ical"
	"github.com/rendezvous/rendezvous/providers/mail"
)

// Kind is the event a mail announces.
type Kind string

const (
	Confirmed   Kind = "confirmed"
	Rescheduled Kind = "rescheduled"
	Cancelled   Kind = "cancelled"
	Reminder    Kind = "reminder"
	// Transferred: the session keeps its time but has a new mentor. The
	// mentee and the new mentor get it; the former mentor a cancellation.
	Transferred Kind = "transferred"
	// Summary: a report's summary, to the mentee (no invitation).
	Summary Kind = "summary"
	// ReportDue: a reminder to the mentor to file a session's report.
	ReportDue Kind = "report_due"
	// MoveRefused: to the mentor, the session did not follow their move
	// (or length change) of its event in their own calendar; it keeps
	// its time. No invitation: nothing changed.
	MoveRefused Kind = "calendar_move_refused"
)

// Why a calendar edit was refused (Tried.Reason), as the booking service
// says it.
var refusalReasons = map[string]bool{"past": true, "outside_hours": true, "overlaps_session": true, "busy": true, "length": true}

// Tried is the mentor's refused edit of the session's event: moved to
// Start, or (Reason "length") ending at End instead.
type Tried struct {
	Start, End time.Time
	Reason     string
}

const (
	langEnglish = "en"
	langFrench  = "fr"
)

// Recipient is who a mail is written for.
type Recipient struct {
	Person calendar.Person
	// Lang is "en" or "fr" (a tag such as "fr-CA" works); anything else
	// gets English.
	Lang string
	// Location is the zone times are written in; nil means UTC.
	Location *time.Location
	IsMentor bool
}

// Extra carries what only some kinds or readers use.
type Extra struct {
	Reason string        // cancellation reason, shown as given
	Lead   time.Duration // how long before the session a reminder goes out
	// OtherLocation is the other party's zone: when it differs from the
	// reader's, every time is also written in it, so that nobody has to
	// work out what "2:30 PM" is for the other person. Nil: unknown.
	OtherLocation *time.Location
	// Previous is a rescheduled session's former start (zero otherwise).
	Previous time.Time
	// CancelledBy is who cancelled: "mentee", "mentor", a staff role
	// ("admin", "coordinator"), "calendar" (deleted from the mentor's
	// calendar) or "reassigned" (handed to another mentor).
	CancelledBy string
	// RebookURL is where the mentee books again after a cancellation, or
	// their personal booking link in a confirmation (a public-link booker
	// who just became a mentee learns it there).
	RebookURL string
	// SessionURL is the session's page in the mentor area.
	SessionURL string
	// Note is what the mentee wrote when booking.
	Note string
	// Summary is a report's summary, shown as written (summary mails).
	Summary string
	// Skipped are the starts of a weekly series not booked, with why
	// (the series' confirmation lists them).
	Skipped []Skipped
	// Tried is the refused calendar edit (MoveRefused mails).
	Tried Tried
}

//go:embed templates/*.tmpl
var templateFiles embed.FS

type templateSet struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// parseTemplates parses the embedded text and HTML templates whose file
// names start with prefix, per language.
func parseTemplates(prefix string) (map[string]templateSet, error) {
	sets := map[string]templateSet{}
	for _, lang := range []string{langEnglish, langFrench} {
		text, err := texttemplate.ParseFS(templateFiles, "templates/"+prefix+lang+".txt.tmpl")
		if err != nil {
			return nil, fmt.Errorf("notify: parse %s %stext templates: %w", lang, prefix, err)
		}
		html, err := htmltemplate.ParseFS(templateFiles, "templates/layout.html.tmpl", "templates/"+prefix+lang+".html.tmpl")
		if err != nil {
			return nil, fmt.Errorf("notify: parse %s %sHTML templates: %w", lang, prefix, err)
		}
		sets[lang] = templateSet{text: text, html: html}
	}
	return sets, nil
}

// loadTemplates parses the session mails' templates once; the result is
// never modified afterwards.
var loadTemplates = sync.OnceValues(func() (map[string]templateSet, error) { return parseTemplates("") })

// view is what the templates see.
type view struct {
	Lang          string
	Subject       string
	RecipientName string
	OtherName     string
	// OtherEmail is the mentee's address, for the mentor.
	OtherEmail string
	When       string
	// OtherWhen is the same instant in the other party's zone, empty
	// when both share a zone.
	OtherWhen string
	// Was and OtherWas are a rescheduled session's former time.
	Was, OtherWas string
	Duration      string
	Lead          string
	VideoURL      string
	ManageURL     string
	Reason        string
	// CancelledBy is who cancelled, as the reader sees it: "you", "other",
	// "staff", "calendar", "reassigned" or "".
	CancelledBy string
	RebookURL   string
	SessionURL  string
	Note        string
	ForMentor   bool
	Summary     string
	// Series describes the weekly series the session belongs to, nil for
	// a session on its own.
	Series *seriesView
	// Tried and TriedEnd are where the mentor moved the session's event
	// (or, with Refused "length", where they made it end); Refused why
	// the session did not follow.
	Tried, TriedEnd string
	Refused         string
}

// Render writes the subject, plain text and HTML of one mail.
func Render(kind Kind, s calendar.Session, to Recipient, extra Extra) (subject, text, html string, err error) {
	if err := checkKind(kind, extra); err != nil {
		return "", "", "", err
	}
	sets, err := loadTemplates()
	if err != nil {
		return "", "", "", err
	}
	lang := language(to.Lang)
	v := view{
		Lang:          lang,
		RecipientName: displayName(to.Person),
		OtherName:     displayName(s.Attendee),
		When:          formatWhen(s.Start, to.Location, lang),
		OtherWhen:     otherWhen(s.Start, to.Location, extra.OtherLocation, lang),
		Duration:      formatDuration(s.End.Sub(s.Start), lang),
		Lead:          formatDuration(extra.Lead, lang),
		VideoURL:      s.VideoURL,
		ManageURL:     s.ManageURL,
		Reason:        strings.TrimSpace(extra.Reason),
		CancelledBy:   cancelledBy(extra.CancelledBy, to.IsMentor),
		Summary:       strings.TrimSpace(extra.Summary),
		ForMentor:     to.IsMentor,
	}
	if s.Series != nil && !s.Cancelled && kind != Reminder && kind != Summary && kind != ReportDue && kind != MoveRefused {
		var skipped []Skipped
		if kind == Confirmed || kind == Transferred {
			skipped = extra.Skipped
		}
		if v.Series, err = newSeriesView(s.Series, to.Location, extra.OtherLocation, lang, skipped); err != nil {
			return "", "", "", err
		}
	}
	if kind == MoveRefused {
		v.Tried = formatWhen(extra.Tried.Start, to.Location, lang)
		if !extra.Tried.End.IsZero() {
			v.TriedEnd = formatWhen(extra.Tried.End, to.Location, lang)
		}
		v.Refused = extra.Tried.Reason
	}
	if kind == Rescheduled && !extra.Previous.IsZero() {
		v.Was = formatWhen(extra.Previous, to.Location, lang)
		v.OtherWas = otherWhen(extra.Previous, to.Location, extra.OtherLocation, lang)
	}
	if to.IsMentor {
		// The manage link is the mentee's key: a mentor using it would act
		// as the mentee (and a late cancel would count against them).
		v.ManageURL = ""
		v.OtherEmail = s.Attendee.Email
		v.SessionURL = extra.SessionURL
		v.Note = strings.TrimSpace(extra.Note)
	} else {
		v.OtherName = displayName(s.Organizer)
		if kind == Cancelled || kind == Summary || kind == Confirmed {
			v.RebookURL = extra.RebookURL
		}
	}
	set := sets[lang]
	var buf bytes.Buffer
	if err := set.text.ExecuteTemplate(&buf, string(kind)+".subject", v); err != nil {
		return "", "", "", fmt.Errorf("notify: render %s subject: %w", kind, err)
	}
	v.Subject = strings.Join(strings.Fields(buf.String()), " ")
	buf.Reset()
	if err := set.text.ExecuteTemplate(&buf, string(kind)+".text", v); err != nil {
		return "", "", "", fmt.Errorf("notify: render %s text: %w", kind, err)
	}
	text = buf.String()
	buf.Reset()
	if err := set.html.ExecuteTemplate(&buf, string(kind)+".html", v); err != nil {
		return "", "", "", fmt.Errorf("notify: render %s HTML: %w", kind, err)
	}
	return v.Subject, text, buf.String(), nil
}

// BuildMessage renders the mail for one recipient and attaches the
// invitation: REQUEST for confirmed, rescheduled and transferred sessions, CANCEL for
// cancelled ones, none for reminders. The caller has already raised the
// session's SEQUENCE for a reschedule or cancellation.
func BuildMessage(kind Kind, s calendar.Session, to Recipient, from calendar.Person, extra Extra) (mail.Message, error) {
	if to.IsMentor {
		s.ManageURL = "" // also keep it out of the mentor's calendar entry
	}
	subject, text, html, err := Render(kind, s, to, extra)
	if err != nil {
		return mail.Message{}, err
	}
	m := mail.Message{
		From: from, To: to.Person, Subject: subject, Text: text, HTML: html,
		MessageID: messageID(kind, s, to, from, extra),
	}
	switch kind {
	case Confirmed, Rescheduled, Transferred:
		m.Method = ical.MethodRequest
	case Cancelled:
		m.Method = ical.MethodCancel
		if s.Series != nil && !s.Cancelled {
			// One session of a series that goes on: the series is sent
			// again with that start excluded.
			m.Method = ical.MethodRequest
		}
		s.Cancelled = m.Method == ical.MethodCancel
	default:
		return m, nil
	}
	if m.ICS, err = ical.EncodeInvite(m.Method, s); err != nil {
		return mail.Message{}, fmt.Errorf("notify: %s invitation for %s: %w", kind, s.UID, err)
	}
	return m, nil
}

func checkKind(kind Kind, extra Extra) error {
	switch kind {
	case Confirmed, Rescheduled, Cancelled, Transferred:
		return nil
	case Summary:
		if strings.TrimSpace(extra.Summary) == "" {
			return fmt.Errorf("notify: a summary mail needs a summary")
		}
		return nil
	case MoveRefused:
		if extra.Tried.Start.IsZero() || !refusalReasons[extra.Tried.Reason] {
			return fmt.Errorf("notify: a refused calendar move needs its time and a known reason, got %q", extra.Tried.Reason)
		}
		if extra.Tried.Reason == "length" && extra.Tried.End.IsZero() {
			return fmt.Errorf("notify: a refused length change needs the end it was given")
		}
		return nil
	case ReportDue:
		if extra.SessionURL == "" {
			return fmt.Errorf("notify: a report reminder needs the session's page")
		}
		return nil
	case Reminder:
		if extra.Lead <= 0 {
			return fmt.Errorf("notify: a reminder needs a positive lead time, got %v", extra.Lead)
		}
		return nil
	}
	return fmt.Errorf("notify: unknown mail kind %q", kind)
}

// cancelledBy says who cancelled relative to the reader.
func cancelledBy(who string, readerIsMentor bool) string {
	switch who {
	case "":
		return ""
	case "mentee":
		if readerIsMentor {
			return "other"
		}
		return "you"
	case "mentor":
		if readerIsMentor {
			return "you"
		}
		return "other"
	case "calendar", "reassigned":
		return who
	}
	return "staff" // admin, coordinator, or any staff role to come
}

func language(tag string) string {
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(tag)), langFrench) {
		return langFrench
	}
	return langEnglish
}

func displayName(p calendar.Person) string {
	if name := strings.TrimSpace(p.Name); name != "" {
		return name
	}
	return p.Email
}

// messageID is derived from what the mail says, so a delivery retried after
// a crash carries the same Message-ID and receivers can drop the duplicate.
func messageID(kind Kind, s calendar.Session, to Recipient, from calendar.Person, extra Extra) string {
	key := fmt.Appendf(nil, "%s\x00%d\x00%s\x00%s\x00%d", s.UID, s.Sequence, kind, to.Person.Email, extra.Lead)
	if extra.Summary != "" {
		// Each corrected summary is a mail of its own.
		key = fmt.Appendf(key, "\x00%s", extra.Summary)
	}
	if kind == MoveRefused {
		// Each refused edit is a mail of its own; the session's version
		// does not change with it.
		key = fmt.Appendf(key, "\x00%d\x00%d\x00%s", extra.Tried.Start.Unix(), extra.Tried.End.Unix(), extra.Tried.Reason)
	}
	sum := sha256.Sum256(key)
	domain := "rendezvous.invalid"
	if _, d, ok := strings.Cut(from.Email, "@"); ok && d != "" {
		domain = d
	}
	return string(kind) + "." + hex.EncodeToString(sum[:12]) + "@" + domain
}
