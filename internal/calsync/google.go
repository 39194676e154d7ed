package calsync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"golang.org/x/oauth2"
	"google.golang.org/api/option"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/providers/google"
)

// ProviderGoogle names Google Calendar connections.
const ProviderGoogle = "google"

// oauthStateTTL is how long a mentor has to finish Google's consent.
const oauthStateTTL = 10 * time.Minute

// GoogleOptions configure Google Calendar connections.
type GoogleOptions struct {
	// OAuth is the OAuth client; RedirectURL is BASE_URL/oauth/google/callback.
	OAuth google.OAuthConfig
	// ClientOptions go to every Calendar API client (option.WithEndpoint
	// for a fake or a proxy).
	ClientOptions []option.ClientOption
}

type googleProvider struct {
	GoogleOptions
}

// GoogleEnabled reports whether Google Calendar connections are configured.
func (s *Service) GoogleEnabled() bool { return s.google != nil }

// GoogleConsentOrigin is the scheme and host of Google's consent page (or
// of its configured stand-in), which pages must allow as a form target:
// the "connect Google" form is redirected there.
func (s *Service) GoogleConsentOrigin() string {
	if s.google == nil {
		return ""
	}
	auth := s.google.OAuth.AuthURL
	if auth == "" {
		auth = google.GoogleAuthURL
	}
	u, err := url.Parse(auth)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

func (s *Service) requireGoogle() error {
	if s.google == nil {
		return apperr.Errorf(apperr.NotFound, "Google Calendar is not configured on this server")
	}
	return nil
}

// StartGoogle begins a mentor's Google consent: it stores a single-use
// state bound to the mentor (only its hash) with the sealed PKCE verifier,
// and returns the consent URL to redirect to.
func (s *Service) StartGoogle(ctx context.Context, by access.Principal, mentorID string) (string, error) {
	if err := by.RequireMentor(mentorID); err != nil {
		return "", err
	}
	if err := s.requireGoogle(); err != nil {
		return "", err
	}
	if _, err := s.store.Mentor(ctx, mentorID); err != nil {
		return "", notFound(err, "mentor")
	}
	state, verifier := secret.NewToken(), google.NewVerifier()
	err := s.store.InsertOAuthState(ctx, &store.OAuthState{
		StateHash: secret.HashToken(state), MentorID: mentorID,
		VerifierSealed: s.box.SealString(verifier), ExpiresAt: s.now().UTC().Add(oauthStateTTL),
	})
	if err != nil {
		return "", err
	}
	return s.google.OAuth.AuthCodeURL(state, verifier), nil
}

// GoogleCallback is what Google's consent sends back.
type GoogleCallback struct {
	State string
	Code  string
	Error string // e.g. access_denied
}

// FinishGoogle completes a consent: the state is consumed whatever
// happens next (a replay fails), the code is exchanged with the verifier,
// and the account's calendars are listed, synced once and stored. Nothing
// is stored on failure.
func (s *Service) FinishGoogle(ctx context.Context, in GoogleCallback) (*Connection, error) {
	if err := s.requireGoogle(); err != nil {
		return nil, err
	}
	st, err := s.claimState(ctx, in.State)
	if err != nil {
		return nil, err
	}
	switch {
	case in.Error == "access_denied":
		return nil, apperr.Errorf(apperr.CalendarAuthFailed,
			"Google Calendar access was not granted, so nothing was connected; start again and choose Allow to connect it")
	case in.Error != "":
		return nil, apperr.Errorf(apperr.CalendarAuthFailed, "Google refused the connection (%s); start again", brief(errors.New(in.Error)))
	case in.Code == "":
		return nil, apperr.Field("code", "is missing from Google's answer")
	}
	verifier, err := s.box.OpenString(st.VerifierSealed)
	if err != nil {
		return nil, fmt.Errorf("open PKCE verifier: %w", err)
	}
	tok, err := s.google.OAuth.Exchange(ctx, in.Code, verifier)
	if err != nil {
		return nil, googleConnectError(err)
	}
	return s.ConnectGoogle(ctx, st.MentorID, tok)
}

// claimState consumes the state of a callback: unknown, expired and
// already used states are refused alike by what the mentor can do.
func (s *Service) claimState(ctx context.Context, state string) (*store.OAuthState, error) {
	if state == "" {
		return nil, apperr.Field("state", "is missing from Google's answer")
	}
	st, err := s.store.ClaimOAuthState(ctx, secret.HashToken(state), s.now())
	switch {
	case isNotFound(err):
		return nil, apperr.Errorf(apperr.Invalid, "this Google sign-in is unknown; start connecting Google Calendar again")
	case err != nil:
		return nil, err
	case st.UsedAt != nil:
		return nil, apperr.Errorf(apperr.Invalid, "this Google sign-in was already used; start connecting Google Calendar again")
	case !s.now().Before(st.ExpiresAt):
		return nil, apperr.Errorf(apperr.Invalid, "this Google sign-in expired (it lasts 10 minutes); start connecting Google Calendar again")
	}
	return st, nil
}

// ConnectGoogle stores a Google account of the mentor from a fresh token:
// its readable calendars, each checking conflicts, synced once; the
// primary calendar becomes the write target when the mentor has none.
// Connecting an account the mentor already connected (after
// reauth_required) replaces that connection's token instead.
func (s *Service) ConnectGoogle(ctx context.Context, mentorID string, tok *oauth2.Token) (*Connection, error) {
	if err := s.requireGoogle(); err != nil {
		return nil, err
	}
	mentor, err := s.store.Mentor(ctx, mentorID)
	if err != nil {
		return nil, notFound(err, "mentor")
	}
	ctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	held := &heldToken{tok: tok}
	src, err := s.google.newSource(s.google.OAuth.TokenSource(held), s.Logger)
	if err != nil {
		return nil, err
	}
	remote, err := src.Calendars(ctx)
	if err != nil {
		return nil, googleConnectError(err)
	}
	if len(remote) == 0 {
		return nil, apperr.Errorf(apperr.Invalid, "this Google account has no calendar Rendezvous can read")
	}
	if err := boundCalendars(remote, "hide or unsubscribe the calendars you do not need in Google Calendar, then connect again"); err != nil {
		return nil, err
	}
	account := primaryRef(remote)
	if existing, err := s.googleConnectionOf(ctx, mentorID, account); err != nil || existing != nil {
		if err != nil {
			return nil, err
		}
		return s.reconnectGoogle(ctx, existing, held.token())
	}
	conn := s.newConnection(mentorID, ProviderGoogle)
	conn.URL, conn.Username = "https://calendar.google.com/", account
	cals, pulls, err := s.firstPull(ctx, src, mentor, conn, remote)
	if err != nil {
		return nil, googleConnectError(err)
	}
	// The first pull may have refreshed the token: store the latest.
	if conn.CredentialsSealed, err = store.SealToken(s.box, held.token()); err != nil {
		return nil, err
	}
	if err := s.storeConnection(ctx, conn, remote, cals, pulls); err != nil {
		return nil, notFound(err, "mentor")
	}
	return s.connectionView(ctx, mentorID, conn.ID)
}

// googleConnectionOf finds the mentor's connection of a Google account.
func (s *Service) googleConnectionOf(ctx context.Context, mentorID, account string) (*store.Connection, error) {
	conns, err := s.store.MentorConnections(ctx, mentorID)
	if err != nil {
		return nil, err
	}
	for i := range conns {
		if conns[i].Provider == ProviderGoogle && conns[i].Username == account {
			return &conns[i], nil
		}
	}
	return nil, nil
}

// reconnectGoogle gives an existing connection its new token and syncs
// it, which records its status as ok again.
func (s *Service) reconnectGoogle(ctx context.Context, conn *store.Connection, tok *oauth2.Token) (*Connection, error) {
	if err := s.store.ConnectionToken(s.box, conn.ID).Save(ctx, tok); err != nil {
		return nil, err
	}
	err := s.SyncConnection(context.WithoutCancel(ctx), conn.ID)
	if errors.Is(err, errLeaseHeld) {
		err = s.awaitLease(ctx, conn.ID)
	}
	if err != nil {
		return nil, err
	}
	s.Logger.Info("google calendar reconnected", slog.String("connection", conn.ID))
	return s.connectionView(ctx, conn.MentorID, conn.ID)
}

// primaryRef is the primary calendar's id (the account's address), else
// the first calendar's.
func primaryRef(cals []calendar.RemoteCalendar) string {
	for _, c := range cals {
		if c.Default {
			return c.Ref
		}
	}
	return cals[0].Ref
}

// googleConnectError maps a consent or first-sync failure to the
// contract's codes.
func googleConnectError(err error) error {
	switch {
	case errors.Is(err, google.ErrScopesDenied):
		return apperr.Wrap(apperr.CalendarAuthFailed, err,
			"Rendezvous needs to read your calendar list and manage events, with offline access; start again and allow every permission asked")
	case errors.Is(err, google.ErrInvalidGrant):
		return apperr.Wrap(apperr.CalendarAuthFailed, err,
			"Google refused the sign-in code (expired or already used); start connecting Google Calendar again")
	case errors.Is(err, ErrCredentials), errors.Is(err, google.ErrUnauthorized), errors.Is(err, google.ErrForbidden):
		return apperr.Wrap(apperr.CalendarAuthFailed, err, "Google refused access to the calendars; start connecting Google Calendar again")
	case errors.Is(err, ErrTooLarge):
		return apperr.Wrap(apperr.CalendarTooLarge, err, "%s", tooLargeReason(err))
	case errors.Is(err, context.Canceled):
		return err
	}
	return apperr.Wrap(apperr.CalendarUnreachable, err, "Google Calendar could not be reached or failed: %s", brief(err))
}
