// Package app assembles Rendezvous from its configuration: every service
// is built, in dependency order, with what it uses, then the job engine and
// the HTTP server over them. Nothing is wired afterwards. cmd/rendezvous
// runs it; tests start the same assembly.
//
// Dependencies point one way:
//
//	api → booking → mentoring, calsync (through small interfaces), outbox, slotcache
//	slotcache → mentoring (hours), store (and its change feed)
//	calsync → outbox (through a small interface)
//	outbox → notify, store, links; signin → store, links; staff, console → store
//	mentoring → engage (welcomes, through a small interface); engage → notify, store, links
//	everything → access, store, links, jobs
package app

import (
	"context"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"path/filepath"
	"strings"
	"time"

	"google.golang.org/api/option"

	"github.com/rendezvous/rendezvous/api"
	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/internal/booking"
	"github.com/rendezvous/rendezvous/internal/calsync"
	"github.com/rendezvous/rendezvous/internal/config"
	"github.com/rendezvous/rendezvous/internal/console"
	"github.com/rendezvous/rendezvous/internal/engage"
	"github.com/rendezvous/rendezvous/internal/jobs"
	"github.com/rendezvous/rendezvous/internal/links"
	"github.com/rendezvous/rendezvous/internal/maillog"
	"github.com/rendezvous/rendezvous/internal/mentoring"
	"github.com/rendezvous/rendezvous/internal/outbox"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/signin"
	"github.com/rendezvous/rendezvous/internal/slotcache"
	"github.com/rendezvous/rendezvous/internal/staff"
	"github.com/rendezvous/rendezvous/internal/statements"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/webhooks"
	"github.com/rendezvous/rendezvous/providers/google"
	"github.com/rendezvous/rendezvous/providers/mail"
	"github.com/rendezvous/rendezvous/providers/video"
)

// App is the assembled program.
type App struct {
	HTTP      *api.Server
	Jobs      *jobs.Engine
	Mentoring *mentoring.Service
	Booking   *booking.Service
	Calendars *calsync.Service
	Signin    *signin.Service
	Webhooks  *webhooks.Service
	// SlotCache serves slot requests from memory while its Run follows
	// the database's changes (cmd/rendezvous runs it beside the server).
	SlotCache *slotcache.Cache
}

// Tuning adjusts what the configuration does not cover; the zero value is
// production's.
type Tuning struct {
	// JobPollInterval is how often idle workers look for jobs (1s when 0).
	JobPollInterval time.Duration
	// CalendarTimeout bounds one request to a calendar server (30s when 0).
	CalendarTimeout time.Duration
}

// New assembles the program on an open, migrated database; adminHash is
// the admin token's hash (see signin.AdminToken).
func New(cfg *config.Config, db *store.Store, box *secret.Box, adminHash string, logger *slog.Logger, tune Tuning) (*App, error) {
	engine := jobs.New(db, logger)
	engine.JobTimeout = cfg.JobTimeout
	if tune.JobPollInterval > 0 {
		engine.PollInterval = tune.JobPollInterval
	}
	engine.RegisterHousekeeping()

	public := links.New(cfg.BaseURL)
	defaultVideo, videos, err := videoProviders(cfg, public)
	if err != nil {
		return nil, err
	}
	smtpSender, from, err := mailSender(cfg)
	if err != nil {
		return nil, err
	}
	// Every mail job sends through the log of sent mails, so a job
	// rescued after a crash does not send its mail twice.
	sender := maillog.New(smtpSender, db, logger)

	mails := outbox.New(db, box, public, engine, outbox.Options{Logger: logger})
	mails.RegisterWorkers(engine.Workers(), sender, from)

	calOpts := calsync.Options{
		AllowPrivateHosts: cfg.AllowPrivateHosts, SyncInterval: cfg.SyncInterval, HTTPTimeout: tune.CalendarTimeout, Logger: logger,
		SyncTimeout: cfg.JobTimeout,
	}
	if cfg.GoogleEnabled() {
		calOpts.Google = googleOptions(cfg, public)
	}
	cals := calsync.New(db, box, engine, mails, calOpts)
	cals.RegisterJobs(engine)

	hooks := webhooks.New(db, box, engine, webhooks.Options{
		AllowPrivate: cfg.AllowPrivateHosts, RetrySpan: cfg.WebhookRetrySpan, Timeout: min(15*time.Second, cfg.JobTimeout/2),
		Admins: adminContacts(db, cfg.AdminEmails), Mailer: sender, From: from, Logger: logger,
	})
	hooks.RegisterWorkers(engine)

	// Welcomes and nudges: mails about people, outside any session.
	people := engage.New(db, box, public, engine, engage.Options{Mailer: sender, From: from,
		ExpectedInterval: cfg.ExpectedInterval, Logger: logger})
	people.RegisterWorkers(engine.Workers())
	people.RegisterNudges(engine)

	slots := slotcache.New(db, slotcache.Options{Logger: logger})
	ment := mentoring.New(db, box, public, mentoring.WithExpectedInterval(cfg.ExpectedInterval),
		mentoring.WithMentorsPerMentee(cfg.MentorsPerMentee), mentoring.WithWebhooks(hooks),
		mentoring.WithSlotChanges(slots.Changed), mentoring.WithWelcomes(people))
	book := booking.New(booking.Deps{
		Store: db, Jobs: engine, Box: box, Links: public, Outbox: mails, Mentorships: ment, Calendars: cals, Webhooks: hooks,
		SlotCache: slots,
	}, booking.Options{
		Video: defaultVideo, Videos: videos, Reminders: cfg.Reminders, LateCancel: cfg.LateCancel, ReportReminder: cfg.ReportReminder, SyncInterval: cfg.SyncInterval, Logger: logger,
	})
	book.RegisterWorkers(engine.Workers())
	book.RegisterReportReminders(engine)
	book.RegisterReminderSweep(engine)

	signins := signin.New(db, engine, box, signin.Options{Links: public, AdminHash: adminHash, Mailer: sender, From: from, Logger: logger})
	signins.RegisterWorkers(engine.Workers())

	team := staff.New(db, nil)
	views := console.New(db, console.Options{ExpectedInterval: cfg.ExpectedInterval})

	server := api.New(api.Deps{
		Logger:              logger,
		DB:                  db,
		BaseURL:             cfg.BaseURL,
		Links:               public,
		Auth:                signins,
		Mentoring:           ment,
		Booking:             book,
		Calendars:           cals,
		Statements:          statements.New(db, statements.Options{}),
		RateLimit:           cfg.RateLimit,
		Signin:              signins,
		Staff:               team,
		Console:             views,
		Webhooks:            hooks,
		TrustedProxies:      cfg.TrustedProxies,
		GoogleConsentOrigin: cals.GoogleConsentOrigin(),
	})
	if err := engine.Build(); err != nil {
		return nil, err
	}
	return &App{HTTP: server, Jobs: engine, Mentoring: ment, Booking: book, Calendars: cals, Signin: signins, Webhooks: hooks,
		SlotCache: slots}, nil
}

// adminContacts are who is mailed about what needs an admin: the staff
// members with the admin role and the RENDEZVOUS_ADMIN_EMAIL addresses,
// each address once.
func adminContacts(db *store.Store, addresses []string) func(context.Context) ([]calendar.Person, error) {
	return func(ctx context.Context) ([]calendar.Person, error) {
		admins, err := db.StaffAdmins(ctx)
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		var out []calendar.Person
		add := func(p calendar.Person) {
			if key := strings.ToLower(p.Email); !seen[key] {
				seen[key] = true
				out = append(out, p)
			}
		}
		for _, a := range admins {
			add(calendar.Person{Name: a.Name, Email: a.Email})
		}
		for _, a := range addresses {
			add(calendar.Person{Email: a})
		}
		return out, nil
	}
}

// googleOptions configure Google Calendar connections; the endpoint
// overrides point them at a fake or a proxy.
func googleOptions(cfg *config.Config, public links.Links) *calsync.GoogleOptions {
	opts := &calsync.GoogleOptions{OAuth: google.OAuthConfig{
		ClientID: cfg.GoogleClientID, ClientSecret: cfg.GoogleClientSecret,
		RedirectURL: public.GoogleCallback(),
		AuthURL:     cfg.GoogleAuthURL, TokenURL: cfg.GoogleTokenURL,
	}}
	if cfg.GoogleAPIURL != "" {
		opts.ClientOptions = append(opts.ClientOptions, option.WithEndpoint(cfg.GoogleAPIURL+"/"))
	}
	return opts
}

// videoProviders builds the deployment's provider and every other one a
// mentor may pick that this configuration supports.
func videoProviders(cfg *config.Config, public links.Links) (video.Provider, map[string]video.Provider, error) {
	base := video.Config{
		JitsiURL: cfg.JitsiURL, JitsiAppID: cfg.JitsiAppID, JitsiSecret: cfg.JitsiSecret,
		BBBURL: cfg.BBBURL, BBBSecret: cfg.BBBSecret, Template: cfg.VideoTemplate,
		JoinBaseURL: public.JoinBase(),
	}
	all := map[string]video.Provider{}
	for _, kind := range []string{"jitsi", "bbb", "google_meet", "template", "none"} {
		c := base
		c.Kind = kind
		if p, err := video.New(c); err == nil {
			all[kind] = p
		}
	}
	def, ok := all[cfg.Video]
	if !ok {
		c := base
		c.Kind = cfg.Video
		_, err := video.New(c)
		return nil, nil, fmt.Errorf("RENDEZVOUS_VIDEO: %v", err)
	}
	return def, all, nil
}

// mailSender delivers over SMTP when configured, else writes .eml files a
// new user can open.
func mailSender(cfg *config.Config) (mail.Sender, calendar.Person, error) {
	addr, err := netmail.ParseAddress(cfg.MailFrom)
	if err != nil {
		return nil, calendar.Person{}, fmt.Errorf("RENDEZVOUS_MAIL_FROM: %q is not an address like Name <user@host>", cfg.MailFrom)
	}
	from := calendar.Person{Name: addr.Name, Email: addr.Address}
	if cfg.SMTPURL == "" {
		return mail.NewFileSender(filepath.Join(cfg.DataDir, "mail")), from, nil
	}
	s, err := mail.NewSMTPSender(cfg.SMTPURL)
	if err != nil {
		return nil, from, fmt.Errorf("RENDEZVOUS_SMTP_URL: %v", err)
	}
	return s, from, nil
}
