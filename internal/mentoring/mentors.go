package mentoring

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/validate"
)

// Mentor is a mentor as the services see it.
type Mentor struct {
	ID                   string
	Name                 string
	Email                string
	Timezone             string
	Language             string
	MaxMentees           int
	SessionMinutes       int
	MinNoticeMinutes     int
	HorizonDays          int
	BufferMinutes        int
	MaxSessionsPerDay    *int
	MaxUpcomingPerMentee int
	PublicBooking        bool
	VideoProvider        string
	// Status is active, paused (no new mentees) or inactive (no slots,
	// no mentees).
	Status      string
	WeeklyHours []WeeklyRange
	Overrides   []DateHours
	BookingURL  string // empty while public booking is off
	FeedURL     string
	CreatedAt   time.Time
}

// MentorInput carries a create or a partial update; nil fields are left as
// they are (or take defaults on create).
type MentorInput struct {
	Name                   *string
	Email                  *string
	Timezone               *string
	Language               *string
	MaxMentees             *int
	SessionMinutes         *int
	MinNoticeMinutes       *int
	HorizonDays            *int
	BufferMinutes          *int
	MaxSessionsPerDay      *int
	ClearMaxSessionsPerDay bool
	MaxUpcomingPerMentee   *int
	PublicBooking          *bool
	VideoProvider          *string
	Status                 *string
	WeeklyHours            *[]WeeklyRange
	Overrides              *[]DateHours
	// Silent, on creation, sends no welcome mail ("notify": false).
	Silent bool
}

// CreatedMentor is a new mentor and its API token, shown once.
type CreatedMentor struct {
	Mentor
	Token string
}

// VideoProviders a mentor may choose instead of the deployment's.
var VideoProviders = map[string]bool{"": true, "jitsi": true, "bbb": true, "google_meet": true, "template": true, "none": true}

// CreateMentor validates and stores a mentor with fresh tokens (staff).
func (s *Service) CreateMentor(ctx context.Context, by access.Principal, in MentorInput) (*CreatedMentor, error) {
	if err := by.RequireStaff("adding a mentor"); err != nil {
		return nil, err
	}
	m := &store.Mentor{
		ID: uuid.Must(uuid.NewV7()).String(), Language: "en", SessionMinutes: 30, MinNoticeMinutes: 240,
		HorizonDays: 28, MaxUpcomingPerMentee: 1, WeeklyHours: "[]", Overrides: "[]",
	}
	if in.Name == nil || in.Email == nil || in.Timezone == nil || in.MaxMentees == nil {
		return nil, apperr.Field(firstMissing(in), "is required")
	}
	if err := s.apply(m, in); err != nil {
		return nil, err
	}
	token, feed, public := secret.NewToken(), secret.NewToken(), secret.NewToken()
	m.TokenHash = secret.HashToken(token)
	m.FeedTokenHash, m.FeedTokenSealed = secret.HashToken(feed), s.box.SealString(feed)
	m.PublicTokenHash, m.PublicTokenSealed = secret.HashToken(public), s.box.SealString(public)
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.InsertMentor(ctx, m); err != nil {
			return err
		}
		if in.Silent || s.welcomes == nil {
			return nil
		}
		return s.welcomes.MentorJoinedTx(ctx, tx, m)
	})
	if err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			return nil, errSameAddress(m.Email)
		}
		return nil, fmt.Errorf("create mentor: %w", err)
	}
	view, err := s.view(m)
	if err != nil {
		return nil, err
	}
	return &CreatedMentor{Mentor: *view, Token: token}, nil
}

func firstMissing(in MentorInput) string {
	switch {
	case in.Name == nil:
		return "name"
	case in.Email == nil:
		return "email"
	case in.Timezone == nil:
		return "timezone"
	}
	return "max_mentees"
}

// apply validates in and writes it onto m.
func (s *Service) apply(m *store.Mentor, in MentorInput) error {
	if in.Name != nil {
		if err := validate.Name("name", *in.Name); err != nil {
			return err
		}
		m.Name = *in.Name
	}
	if in.Email != nil {
		email, err := validate.Email("email", *in.Email)
		if err != nil {
			return err
		}
		m.Email = email
	}
	if in.Timezone != nil {
		if _, err := validate.Timezone("timezone", *in.Timezone); err != nil {
			return err
		}
		m.Timezone = *in.Timezone
	}
	if in.Language != nil {
		m.Language = validate.Language(*in.Language)
	}
	ints := []struct {
		field  string
		v      *int
		dst    *int
		lo, hi int
	}{
		{"max_mentees", in.MaxMentees, &m.MaxMentees, 0, 10000},
		{"min_notice_minutes", in.MinNoticeMinutes, &m.MinNoticeMinutes, 0, 60 * 24 * 90},
		{"horizon_days", in.HorizonDays, &m.HorizonDays, 1, 365},
		{"buffer_minutes", in.BufferMinutes, &m.BufferMinutes, 0, 240},
		{"max_upcoming_per_mentee", in.MaxUpcomingPerMentee, &m.MaxUpcomingPerMentee, 1, 100},
	}
	for _, f := range ints {
		if f.v == nil {
			continue
		}
		if err := validate.IntRange(f.field, *f.v, f.lo, f.hi); err != nil {
			return err
		}
		*f.dst = *f.v
	}
	if in.SessionMinutes != nil {
		v := *in.SessionMinutes
		if v < 15 || v > 240 || v%15 != 0 {
			return apperr.Field("session_minutes", "must be a multiple of 15 between 15 and 240, got %d", v)
		}
		m.SessionMinutes = v
	}
	if in.ClearMaxSessionsPerDay {
		m.MaxSessionsPerDay = nil
	} else if in.MaxSessionsPerDay != nil {
		if err := validate.IntRange("max_sessions_per_day", *in.MaxSessionsPerDay, 1, 48); err != nil {
			return err
		}
		v := *in.MaxSessionsPerDay
		m.MaxSessionsPerDay = &v
	}
	if in.PublicBooking != nil {
		m.PublicBooking = *in.PublicBooking
	}
	if in.VideoProvider != nil {
		if !VideoProviders[*in.VideoProvider] {
			return apperr.Field("video_provider", "%q is not a video provider (jitsi, bbb, google_meet, template, none)", *in.VideoProvider)
		}
		m.VideoProvider = *in.VideoProvider
	}
	return s.applyHours(m, in.WeeklyHours, in.Overrides)
}

func (s *Service) applyHours(m *store.Mentor, weekly *[]WeeklyRange, overrides *[]DateHours) error {
	if weekly == nil && overrides == nil {
		return nil
	}
	cur, err := decodeHours(m.WeeklyHours, m.Overrides)
	if err != nil {
		return err
	}
	if weekly != nil {
		cur.Weekly = *weekly
	}
	if overrides != nil {
		cur.Overrides = *overrides
	}
	loc, err := time.LoadLocation(m.Timezone)
	if err != nil {
		return apperr.Field("timezone", "%q is not an IANA time zone", m.Timezone)
	}
	if _, err := ParseAvailability(loc, cur.Weekly, cur.Overrides); err != nil {
		return err
	}
	m.WeeklyHours, m.Overrides = encodeHours(cur.Weekly, cur.Overrides)
	return nil
}

// Mentor reads one mentor (staff, or that mentor).
func (s *Service) Mentor(ctx context.Context, by access.Principal, id string) (*Mentor, error) {
	if err := by.RequireMentor(id); err != nil {
		return nil, err
	}
	m, err := s.store.Mentor(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apperr.Errorf(apperr.NotFound, "no mentor %s", id)
	}
	if err != nil {
		return nil, err
	}
	return s.view(m)
}

// Mentors lists every mentor (staff).
func (s *Service) Mentors(ctx context.Context, by access.Principal) ([]Mentor, error) {
	if err := by.RequireStaff("listing mentors"); err != nil {
		return nil, err
	}
	ms, err := s.store.Mentors(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Mentor, 0, len(ms))
	for i := range ms {
		v, err := s.view(&ms[i])
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	return out, nil
}

// changeMentor runs change on the locked mentor row and stores it, when
// by may act for that mentor.
func (s *Service) changeMentor(ctx context.Context, by access.Principal, id string, change func(tx *store.Tx, m *store.Mentor) error) (*store.Mentor, error) {
	if err := by.RequireMentor(id); err != nil {
		return nil, err
	}
	var out *store.Mentor
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		m, err := tx.LockMentor(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return apperr.Errorf(apperr.NotFound, "no mentor %s", id)
		}
		if err != nil {
			return err
		}
		if err := change(tx, m); err != nil {
			return err
		}
		out = m
		if err := tx.UpdateMentor(ctx, m); err != nil {
			if errors.Is(err, store.ErrDuplicate) {
				return errSameAddress(m.Email)
			}
			return err
		}
		return nil
	})
	return out, err
}

// UpdateMentor applies a partial update.
func (s *Service) UpdateMentor(ctx context.Context, by access.Principal, id string, in MentorInput) (*Mentor, error) {
	m, err := s.changeMentor(ctx, by, id, func(tx *store.Tx, m *store.Mentor) error {
		was := m.MaxMentees
		if err := s.apply(m, in); err != nil {
			return err
		}
		if err := s.applyStatus(by, m, in.Status); err != nil {
			return err
		}
		return checkCapacityChange(ctx, tx, by, m, was)
	})
	if err != nil {
		return nil, err
	}
	if s.slotsChanged != nil {
		s.slotsChanged(m.ID)
	}
	return s.view(m)
}

// SetAvailability replaces weekly hours and overrides.
func (s *Service) SetAvailability(ctx context.Context, by access.Principal, id string, weekly []WeeklyRange, overrides []DateHours) (*Mentor, error) {
	return s.UpdateMentor(ctx, by, id, MentorInput{WeeklyHours: &weekly, Overrides: &overrides})
}

// RotateFeedToken replaces the feed URL; the old one stops working at once.
func (s *Service) RotateFeedToken(ctx context.Context, by access.Principal, id string) (string, error) {
	feed := secret.NewToken()
	_, err := s.changeMentor(ctx, by, id, func(_ *store.Tx, m *store.Mentor) error {
		m.FeedTokenHash, m.FeedTokenSealed = secret.HashToken(feed), s.box.SealString(feed)
		return nil
	})
	if err != nil {
		return "", err
	}
	return s.links.Feed(feed), nil
}

// RotateAPIToken gives the mentor a new API token, returned once; the old
// one is refused from the next request on (tokens are looked up by hash
// on every call, never cached).
func (s *Service) RotateAPIToken(ctx context.Context, by access.Principal, id string) (string, error) {
	token := secret.NewToken()
	_, err := s.changeMentor(ctx, by, id, func(_ *store.Tx, m *store.Mentor) error {
		m.TokenHash = secret.HashToken(token)
		return nil
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// RevokeAPIToken leaves the mentor without a working API token (a leaked
// token, a mentor who only uses the pages): the stored hash becomes that
// of a fresh random token nobody is given. Signed-in browsers are not
// affected; RotateAPIToken issues a token again.
func (s *Service) RevokeAPIToken(ctx context.Context, by access.Principal, id string) error {
	_, err := s.RotateAPIToken(ctx, by, id)
	return err
}

func (s *Service) view(m *store.Mentor) (*Mentor, error) {
	h, err := decodeHours(m.WeeklyHours, m.Overrides)
	if err != nil {
		return nil, fmt.Errorf("mentor %s: %w", m.ID, err)
	}
	feed, err := s.box.OpenString(m.FeedTokenSealed)
	if err != nil {
		return nil, fmt.Errorf("mentor %s feed token: %w", m.ID, err)
	}
	v := &Mentor{
		ID: m.ID, Name: m.Name, Email: m.Email, Timezone: m.Timezone, Language: m.Language,
		MaxMentees: m.MaxMentees, SessionMinutes: m.SessionMinutes, MinNoticeMinutes: m.MinNoticeMinutes,
		HorizonDays: m.HorizonDays, BufferMinutes: m.BufferMinutes, MaxSessionsPerDay: m.MaxSessionsPerDay,
		MaxUpcomingPerMentee: m.MaxUpcomingPerMentee, PublicBooking: m.PublicBooking, VideoProvider: m.VideoProvider,
		Status: m.Status, WeeklyHours: h.Weekly, Overrides: h.Overrides, FeedURL: s.links.Feed(feed), CreatedAt: m.CreatedAt,
	}
	if m.PublicBooking {
		public, err := s.box.OpenString(m.PublicTokenSealed)
		if err != nil {
			return nil, fmt.Errorf("mentor %s public token: %w", m.ID, err)
		}
		v.BookingURL = s.links.Book(public)
	}
	return v, nil
}
