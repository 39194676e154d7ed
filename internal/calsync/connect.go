package calsync

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/validate"
	"github.com/rendezvous/rendezvous/providers/ics"
)

// connectTimeout bounds discovery, listing and the first sync. It stays
// under the HTTP layer's handler timeout (45 s): the mentor must get an
// answer, not a cut connection after the connection was stored.
const connectTimeout = 40 * time.Second

// ConnectInput is a request to connect a calendar account.
type ConnectInput struct {
	Provider string
	URL      string
	Username string
	Password string
}

// Connect discovers a CalDAV account of a mentor (staff, or that mentor), lists its calendars and syncs them
// once; only when all of that worked is anything stored. Every event
// calendar checks conflicts; the server's default (else the first
// writable) calendar becomes the write target if the mentor has none.
func (s *Service) Connect(ctx context.Context, by access.Principal, mentorID string, in ConnectInput) (*Connection, error) {
	if err := by.RequireMentor(mentorID); err != nil {
		return nil, err
	}
	if err := s.checkConnectInput(&in); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	if in.Provider == ProviderICS {
		return s.connectICS(ctx, mentorID, in.URL)
	}
	mentor, err := s.store.Mentor(ctx, mentorID)
	if err != nil {
		return nil, notFound(err, "mentor")
	}
	src, err := connectCalDAV(ctx, s.client, s.auth, in.URL, in.Username, in.Password)
	if err != nil {
		return nil, connectError(err)
	}
	remote, err := src.Calendars(ctx)
	if err != nil {
		return nil, connectError(err)
	}
	if len(remote) == 0 {
		return nil, apperr.Field("url", "no event calendar was found at this URL")
	}
	if err := boundCalendars(remote, "connect the calendars you need one by one, by their own URLs"); err != nil {
		return nil, err
	}
	conn := s.newConnection(mentorID, ProviderCalDAV)
	conn.URL, conn.Username = in.URL, in.Username
	secretPart, _ := json.Marshal(caldavCredentials{Password: in.Password, Addresses: src.addresses})
	conn.CredentialsSealed = s.box.Seal(secretPart)
	cals, pulls, err := s.firstPull(ctx, src, mentor, conn, remote)
	if err != nil {
		return nil, connectError(err)
	}
	if err := s.storeConnection(ctx, conn, remote, cals, pulls); err != nil {
		return nil, notFound(err, "mentor")
	}
	return s.connectionView(ctx, mentorID, conn.ID)
}

// newConnection is a connection row stamped as just synced.
func (s *Service) newConnection(mentorID, provider string) *store.Connection {
	now := s.now().UTC()
	return &store.Connection{
		ID: uuid.Must(uuid.NewV7()).String(), MentorID: mentorID, Provider: provider, Status: store.ConnectionOK,
		LastAttemptAt: &now, LastSuccessAt: &now, CreatedAt: now, UpdatedAt: now,
	}
}

// firstPull syncs every remote calendar of a new connection once, without
// storing anything; the error is the provider's.
func (s *Service) firstPull(ctx context.Context, src Source, mentor *store.Mentor, conn *store.Connection,
	remote []calendar.RemoteCalendar) ([]store.Calendar, []pulled, error) {
	cals := make([]store.Calendar, len(remote))
	pulls := make([]pulled, len(remote))
	for i, rc := range remote {
		cals[i] = store.Calendar{
			ID: uuid.Must(uuid.NewV7()).String(), ConnectionID: conn.ID, MentorID: conn.MentorID, Ref: rc.Ref,
			Name: rc.Name, CheckConflicts: true, Writable: rc.Writable, CreatedAt: conn.CreatedAt,
		}
		if pulls[i] = s.pull(ctx, src, mentor, &cals[i], nil, nil); pulls[i].err != nil {
			return nil, nil, pulls[i].err
		}
	}
	return cals, pulls, nil
}

// storeConnection stores a connection with its calendars and their first
// sync in one transaction. The server's default (else the first writable)
// calendar becomes the write target if the mentor has none.
func (s *Service) storeConnection(ctx context.Context, conn *store.Connection, remote []calendar.RemoteCalendar,
	cals []store.Calendar, pulls []pulled) error {
	mentorID := conn.MentorID
	return s.store.InTx(ctx, func(tx *store.Tx) error {
		// The mentor's row lock serialises concurrent connects, so the
		// one-write-target index never refuses the insert.
		if _, err := tx.LockMentor(ctx, mentorID); err != nil {
			return err
		}
		has, err := s.HasWriteTarget(ctx, tx, mentorID)
		if err != nil {
			return err
		}
		if !has {
			if i := pickWriteTarget(remote); i >= 0 {
				cals[i].WriteTarget = true
			}
		}
		if err := tx.InsertConnection(ctx, conn); err != nil {
			return err
		}
		for i := range cals {
			if err := tx.InsertCalendar(ctx, &cals[i]); err != nil {
				return err
			}
			if err := pulls[i].write(ctx, tx); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Service) checkConnectInput(in *ConnectInput) error {
	in.Provider = strings.TrimSpace(in.Provider)
	switch in.Provider {
	case ProviderCalDAV, ProviderICS:
	case "google":
		return apperr.Field("provider", "Google calendars are connected through /connections/google/start")
	default:
		return apperr.Field("provider", "must be \"caldav\" or \"ics\"")
	}
	in.URL = strings.TrimSpace(in.URL)
	if err := validate.Text("url", in.URL, 2000, true); err != nil {
		return err
	}
	if in.Provider == ProviderICS {
		if in.Username != "" || in.Password != "" {
			return apperr.Field("url", "a published calendar address takes no username or password")
		}
		if _, err := ics.ParseAddress(in.URL, s.AllowPrivateHosts); err != nil {
			return apperr.Field("url", "must be an https:// or webcal:// address of a published calendar (.ics)")
		}
		return nil
	}
	u, err := url.Parse(in.URL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return apperr.Field("url", "must be an http(s) URL of a CalDAV server, principal, calendar home or calendar")
	}
	if u.User != nil {
		return apperr.Field("url", "must not contain credentials; use username and password")
	}
	if u.Scheme == "http" && !s.AllowPrivateHosts {
		return apperr.Field("url", "must use https: the password would travel in clear text")
	}
	if err := validate.Text("username", in.Username, 200, false); err != nil {
		return err
	}
	return validate.Text("password", in.Password, 2000, false)
}

// pickWriteTarget is the server's default calendar if writable, else the
// first writable one, else -1.
func pickWriteTarget(cals []calendar.RemoteCalendar) int {
	for i, c := range cals {
		if c.Default && c.Writable {
			return i
		}
	}
	for i, c := range cals {
		if c.Writable {
			return i
		}
	}
	return -1
}

// Bounds of the calendar list a server gives. 500 calendars named with
// 100 KB each once made the mentor page 50 MB.
const (
	maxCalendarsPerConnection = 100
	maxCalendarNameRunes      = 200 // as names given through the API
	maxCalendarRefBytes       = 2000
)

// boundCalendars keeps a server's calendar list to what is stored and
// shown: names are cut to 200 characters, without control characters;
// more than 100 calendars, or a calendar address over 2,000 bytes, is
// refused. hint tells the mentor what to do then.
func boundCalendars(remote []calendar.RemoteCalendar, hint string) error {
	if len(remote) > maxCalendarsPerConnection {
		return apperr.Errorf(apperr.CalendarTooLarge, "calendar too large: the account has %d calendars, and at most %d can be connected at once; %s",
			len(remote), maxCalendarsPerConnection, hint)
	}
	for i := range remote {
		if len(remote[i].Ref) > maxCalendarRefBytes {
			return apperr.Errorf(apperr.CalendarNotCalDAV, "the server gave a calendar address of %d bytes, which is not one Rendezvous can use", len(remote[i].Ref))
		}
		remote[i].Name = calendarName(remote[i].Name)
	}
	return nil
}

// calendarName is a server's calendar name made fit to store and show.
func calendarName(name string) string {
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(name, "\uFFFD"))
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) <= maxCalendarNameRunes {
		return name
	}
	n := 0
	for i := range name {
		if n == maxCalendarNameRunes-1 {
			return strings.TrimSpace(name[:i]) + "…"
		}
		n++
	}
	return name
}
