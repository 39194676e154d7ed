package notify

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/calendar/zonenames"
	"github.com/rendezvous/rendezvous/providers/mail"
)

// PeopleKind is a mail about a person's place in the programme rather
// than about one session.
type PeopleKind string

const (
	// MentorWelcome: a new mentor, with a sign-in link and what to set up.
	MentorWelcome PeopleKind = "mentor_welcome"
	// MenteeWelcome: a new or imported mentee, with their mentor and
	// their personal booking link.
	MenteeWelcome PeopleKind = "mentee_welcome"
	// MenteeReassigned: a mentee given another mentor, with the new
	// mentor and the booking link that now leads to them.
	MenteeReassigned PeopleKind = "mentee_reassigned"
	// NudgeMentee and NudgeMentor: a pair that has not met within the
	// expected interval; the mentee's carries the booking link.
	NudgeMentee PeopleKind = "nudge_mentee"
	NudgeMentor PeopleKind = "nudge_mentor"
)

// PeopleMail is what one such mail says.
type PeopleMail struct {
	Kind PeopleKind
	// Event names the change announced; with the kind and the reader it
	// makes the Message-ID, so a mail sent again is recognised.
	Event string
	To    Recipient
	// Other is the other party: the mentor for a mentee, the mentee for a
	// mentor's nudge. OtherLocation is their zone.
	Other         calendar.Person
	OtherLocation *time.Location
	// PreviousMentor is a reassigned mentee's former mentor's name.
	PreviousMentor string
	// Link is the sign-in link (MentorWelcome) or the mentee's booking
	// link; LinkExpires a sign-in link's end.
	Link        string
	LinkExpires time.Time
	// SigninPage is where a mentor asks for a new sign-in link.
	SigninPage string
	// LastSession is the pair's last session held (nudges); zero if none.
	LastSession time.Time
	// Interval is the expected time between sessions (nudges).
	Interval time.Duration
}

// peopleView is what the people templates see.
type peopleView struct {
	Lang, Subject, RecipientName  string
	OtherName, OtherEmail         string
	OtherZone, Zone               string
	PreviousMentor                string
	Link, LinkExpires, SigninPage string
	// LastSession and OtherLastSession are the last session in the
	// reader's and the other party's zone (the latter empty when equal).
	LastSession, OtherLastSession string
	Interval                      string
}

// loadPeopleTemplates parses the people mails' templates once.
var loadPeopleTemplates = sync.OnceValues(func() (map[string]templateSet, error) { return parseTemplates("people.") })

func checkPeople(p PeopleMail) error {
	switch p.Kind {
	case MentorWelcome:
		if p.Link == "" || p.LinkExpires.IsZero() || p.SigninPage == "" {
			return fmt.Errorf("notify: a mentor's welcome needs a sign-in link, its end and the sign-in page")
		}
	case MenteeWelcome, MenteeReassigned, NudgeMentee:
		if p.Link == "" || p.Other.Email == "" {
			return fmt.Errorf("notify: %s needs the mentor and the booking link", p.Kind)
		}
	case NudgeMentor:
		if p.Other.Email == "" {
			return fmt.Errorf("notify: a mentor's nudge needs the mentee")
		}
	default:
		return fmt.Errorf("notify: unknown people mail %q", p.Kind)
	}
	if p.Event == "" {
		return fmt.Errorf("notify: %s needs the event it announces", p.Kind)
	}
	return nil
}

// RenderPeople writes the subject, plain text and HTML of a people mail.
func RenderPeople(p PeopleMail) (subject, text, html string, err error) {
	if err := checkPeople(p); err != nil {
		return "", "", "", err
	}
	sets, err := loadPeopleTemplates()
	if err != nil {
		return "", "", "", err
	}
	lang := language(p.To.Lang)
	own := p.To.Location
	if own == nil {
		own = time.UTC
	}
	v := peopleView{
		Lang: lang, RecipientName: displayName(p.To.Person), OtherName: displayName(p.Other), OtherEmail: p.Other.Email,
		Zone: zonenames.Display(own.String()), PreviousMentor: strings.TrimSpace(p.PreviousMentor),
		Link: p.Link, SigninPage: p.SigninPage, Interval: formatInterval(p.Interval, lang),
	}
	if p.OtherLocation != nil && zonenames.Canonical(p.OtherLocation.String()) != zonenames.Canonical(own.String()) {
		v.OtherZone = zonenames.Display(p.OtherLocation.String())
	}
	if !p.LinkExpires.IsZero() {
		v.LinkExpires = formatWhen(p.LinkExpires, own, lang)
	}
	if !p.LastSession.IsZero() {
		v.LastSession = formatWhen(p.LastSession, own, lang)
		v.OtherLastSession = otherWhen(p.LastSession, own, p.OtherLocation, lang)
	}
	set := sets[lang]
	var buf bytes.Buffer
	if err := set.text.ExecuteTemplate(&buf, string(p.Kind)+".subject", v); err != nil {
		return "", "", "", fmt.Errorf("notify: render %s subject: %w", p.Kind, err)
	}
	v.Subject = strings.Join(strings.Fields(buf.String()), " ")
	buf.Reset()
	if err := set.text.ExecuteTemplate(&buf, string(p.Kind)+".text", v); err != nil {
		return "", "", "", fmt.Errorf("notify: render %s text: %w", p.Kind, err)
	}
	text = buf.String()
	buf.Reset()
	if err := set.html.ExecuteTemplate(&buf, string(p.Kind)+".html", v); err != nil {
		return "", "", "", fmt.Errorf("notify: render %s HTML: %w", p.Kind, err)
	}
	return v.Subject, text, buf.String(), nil
}

// BuildPeopleMessage renders a people mail for sending.
func BuildPeopleMessage(p PeopleMail, from calendar.Person) (mail.Message, error) {
	subject, text, html, err := RenderPeople(p)
	if err != nil {
		return mail.Message{}, err
	}
	return mail.Message{From: from, To: p.To.Person, Subject: subject, Text: text, HTML: html,
		MessageID: peopleMessageID(p, from)}, nil
}

// peopleMessageID is stable per event and reader: a job run again after
// a crash sends the same Message-ID (see internal/maillog).
func peopleMessageID(p PeopleMail, from calendar.Person) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%s\x00%s", p.Kind, p.Event, strings.ToLower(p.To.Person.Email)))
	domain := "rendezvous.invalid"
	if _, d, ok := strings.Cut(from.Email, "@"); ok && d != "" {
		domain = d
	}
	return strings.ReplaceAll(string(p.Kind), "_", "-") + "." + hex.EncodeToString(sum[:12]) + "@" + domain
}

// formatInterval writes the expected interval between sessions in days
// ("7 days", "1 jour"), or hours below a day.
func formatInterval(d time.Duration, lang string) string {
	if d <= 0 {
		return ""
	}
	if d < 24*time.Hour {
		return formatDuration(d, lang)
	}
	days := int(d.Round(24*time.Hour) / (24 * time.Hour))
	word := "day"
	if lang == langFrench {
		word = "jour"
	}
	return plural(days, word)
}
