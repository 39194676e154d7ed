// Package config reads Rendezvous' configuration from the environment and
// from `serve` flags, as the public contract lists it. Every value is
// validated up front: a bad one stops the program with an error naming the
// variable, so the service never starts half-configured.
package config

import (
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config is the validated configuration of one process.
type Config struct {
	Addr               string
	BaseURL            *url.URL
	DatabaseURL        string
	DataDir            string
	AdminToken         string // empty: generated on first start
	SecretKey          []byte // nil: generated into DataDir on first start
	SMTPURL            string // empty: mails are written under DataDir/mail
	MailFrom           string
	Video              string
	JitsiURL           string
	JitsiAppID         string
	JitsiSecret        string
	BBBURL             string
	BBBSecret          string
	VideoTemplate      string
	GoogleClientID     string
	GoogleClientSecret string
	GoogleAuthURL      string // empty: Google's; overridable for tests
	GoogleTokenURL     string
	GoogleAPIURL       string
	SyncInterval       time.Duration
	AllowPrivateHosts  bool
	RateLimit          int // requests per client address per minute; 0 = off
	// TrustedProxies are the networks whose X-Forwarded-For is believed;
	// empty: the client address is the socket's.
	TrustedProxies   []netip.Prefix
	Reminders        []time.Duration
	ExpectedInterval time.Duration // a mentee with no session within this is overdue
	// MentorsPerMentee is how many mentors one person may have at once.
	MentorsPerMentee int
	// LateCancel: a mentee cancelling less than this before the start is
	// recorded late_cancel; 0 never.
	LateCancel time.Duration
	// ReportReminder is how long after a session's end its mentor is
	// reminded to file an unfiled report.
	ReportReminder time.Duration
	// JobTimeout is the longest a background job may run; a job a crashed
	// process left running is taken up again soon after.
	JobTimeout time.Duration
	// AdminEmails are mailed about what needs an admin (a webhook endpoint
	// disabled after failing for a day).
	AdminEmails []string
	// WebhookRetrySpan is how long webhook deliveries are retried.
	WebhookRetrySpan time.Duration
	LogLevel         string
}

// VideoKinds are the accepted RENDEZVOUS_VIDEO values.
var videoKinds = []string{"jitsi", "bbb", "google_meet", "template", "none"}

// setting is one variable: its name, default and how it lands in Config.
type setting struct {
	name  string // without the RENDEZVOUS_ prefix
	def   string
	usage string
	apply func(c *Config, v string) error
}

func settings() []setting {
	str := func(dst func(*Config) *string) func(*Config, string) error {
		return func(c *Config, v string) error { *dst(c) = v; return nil }
	}
	return []setting{
		{"ADDR", ":8080", "listen address", str(func(c *Config) *string { return &c.Addr })},
		{"BASE_URL", "http://localhost:8080", "public URL used in links, mails and feeds", applyBaseURL},
		{"DATABASE_URL", "sqlite://data/rendezvous.db", "sqlite://PATH or postgres://…", applyDatabaseURL},
		{"DATA_DIR", "data", "directory for the secret key and .eml mails", str(func(c *Config) *string { return &c.DataDir })},
		{"ADMIN_TOKEN", "", "bearer token of the admin API (generated when empty)", applyAdminToken},
		{"SECRET_KEY", "", "32-byte base64 key encrypting stored credentials", applySecretKey},
		{"SMTP_URL", "", "smtp://user:pass@host:port or smtps://…", applySMTPURL},
		{"MAIL_FROM", "Rendezvous <no-reply@localhost>", "sender of mails", str(func(c *Config) *string { return &c.MailFrom })},
		{"VIDEO", "jitsi", "video provider: " + strings.Join(videoKinds, ", "), applyVideo},
		{"JITSI_URL", "https://meet.jit.si", "Jitsi base URL", applyHTTPURL("JITSI_URL", func(c *Config) *string { return &c.JitsiURL })},
		{"JITSI_APP_ID", "", "Jitsi JWT app id", str(func(c *Config) *string { return &c.JitsiAppID })},
		{"JITSI_SECRET", "", "Jitsi JWT secret", str(func(c *Config) *string { return &c.JitsiSecret })},
		{"BBB_URL", "", "BigBlueButton API URL", applyHTTPURL("BBB_URL", func(c *Config) *string { return &c.BBBURL })},
		{"BBB_SECRET", "", "BigBlueButton shared secret", str(func(c *Config) *string { return &c.BBBSecret })},
		{"VIDEO_TEMPLATE", "", "video URL template with {room}", str(func(c *Config) *string { return &c.VideoTemplate })},
		{"GOOGLE_CLIENT_ID", "", "Google OAuth client id", str(func(c *Config) *string { return &c.GoogleClientID })},
		{"GOOGLE_CLIENT_SECRET", "", "Google OAuth client secret", str(func(c *Config) *string { return &c.GoogleClientSecret })},
		{"GOOGLE_AUTH_URL", "", "Google OAuth authorization endpoint override", applyHTTPURL("GOOGLE_AUTH_URL", func(c *Config) *string { return &c.GoogleAuthURL })},
		{"GOOGLE_TOKEN_URL", "", "Google OAuth token endpoint override", applyHTTPURL("GOOGLE_TOKEN_URL", func(c *Config) *string { return &c.GoogleTokenURL })},
		{"GOOGLE_API_URL", "", "Google Calendar API endpoint override", applyHTTPURL("GOOGLE_API_URL", func(c *Config) *string { return &c.GoogleAPIURL })},
		{"SYNC_INTERVAL", "5m", "how often each connected calendar is re-synced", applyDuration("SYNC_INTERVAL", 10*time.Second, func(c *Config) *time.Duration { return &c.SyncInterval })},
		{"ALLOW_PRIVATE_HOSTS", "false", "allow calendar URLs on loopback/private addresses", applyAllowPrivate},
		{"TRUSTED_PROXIES", "", "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is trusted; empty: the socket address", applyTrustedProxies},
		{"RATE_LIMIT", "60/m", "requests per client address per minute on token-guessable routes; 0 = off", applyRateLimit},
		{"REMINDERS", "24h,1h", "when reminder mails go out before a session; empty for none", applyReminders},
		{"MENTORS_PER_MENTEE", "1", "how many active mentors one person (e-mail address) may have at once", applyMentorsPerMentee},
		{"EXPECTED_INTERVAL", "168h", "a mentee without a session within this is overdue, and the pair is nudged by mail", applyDuration("EXPECTED_INTERVAL", time.Hour, func(c *Config) *time.Duration { return &c.ExpectedInterval })},
		{"LATE_CANCEL", "24h", "a mentee cancelling less than this before the start is recorded late_cancel; 0 for never", applyDuration("LATE_CANCEL", 0, func(c *Config) *time.Duration { return &c.LateCancel })},
		{"REPORT_REMINDER", "2h", "how long after a session's end its mentor is reminded to file an unfiled report", applyDuration("REPORT_REMINDER", time.Minute, func(c *Config) *time.Duration { return &c.ReportReminder })},
		{"JOB_TIMEOUT", "2m", "longest run of a background job (a sync, a mail); jobs of a crashed process are retried after 1.5 times this", applyDuration("JOB_TIMEOUT", time.Second, func(c *Config) *time.Duration { return &c.JobTimeout })},
		{"ADMIN_EMAIL", "", "comma-separated addresses mailed about what needs an admin (a webhook endpoint disabled)", applyAdminEmails},
		{"WEBHOOK_RETRY_SPAN", "24h", "how long a webhook delivery is retried (exponential backoff) before it is marked failed", applyDuration("WEBHOOK_RETRY_SPAN", time.Second, func(c *Config) *time.Duration { return &c.WebhookRetrySpan })},
		{"LOG_LEVEL", "info", "debug, info, warn or error", applyLogLevel},
	}
}

// Load builds the configuration from flags (highest precedence), then the
// environment, then defaults. lookupEnv is os.LookupEnv in production.
func Load(fs *flag.FlagSet, args []string, lookupEnv func(string) (string, bool)) (*Config, error) {
	all := settings()
	flagValues := make(map[string]*string, len(all))
	for _, s := range all {
		flagValues[s.name] = fs.String(FlagName(s.name), "", s.usage+" (env RENDEZVOUS_"+s.name+", default "+strconv.Quote(s.def)+")")
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	c := &Config{}
	for _, s := range all {
		v := s.def
		if env, present := lookupEnv("RENDEZVOUS_" + s.name); present {
			v = env
		}
		if set[FlagName(s.name)] {
			v = *flagValues[s.name]
		}
		if err := s.apply(c, strings.TrimSpace(v)); err != nil {
			return nil, fmt.Errorf("RENDEZVOUS_%s: %w", s.name, err)
		}
	}
	if err := c.crossCheck(); err != nil {
		return nil, err
	}
	return c, nil
}

// FlagName turns a variable name (without prefix) into its flag name.
func FlagName(name string) string {
	return strings.ReplaceAll(strings.ToLower(name), "_", "-")
}

func (c *Config) crossCheck() error {
	switch c.Video {
	case "bbb":
		if c.BBBURL == "" || c.BBBSecret == "" {
			return errors.New("RENDEZVOUS_VIDEO: bbb needs RENDEZVOUS_BBB_URL and RENDEZVOUS_BBB_SECRET")
		}
	case "template":
		if !strings.Contains(c.VideoTemplate, "{room}") {
			return errors.New("RENDEZVOUS_VIDEO_TEMPLATE: template video needs a URL containing {room}")
		}
	case "google_meet":
		if c.GoogleClientID == "" || c.GoogleClientSecret == "" {
			return errors.New("RENDEZVOUS_VIDEO: google_meet needs RENDEZVOUS_GOOGLE_CLIENT_ID and RENDEZVOUS_GOOGLE_CLIENT_SECRET")
		}
	}
	if (c.JitsiAppID == "") != (c.JitsiSecret == "") {
		return errors.New("RENDEZVOUS_JITSI_SECRET: set both RENDEZVOUS_JITSI_APP_ID and RENDEZVOUS_JITSI_SECRET, or neither")
	}
	if c.VideoTemplate != "" && !strings.Contains(c.VideoTemplate, "{room}") {
		return errors.New("RENDEZVOUS_VIDEO_TEMPLATE: must contain {room}")
	}
	return nil
}

// GoogleEnabled reports whether Google Calendar connections are configured.
func (c *Config) GoogleEnabled() bool { return c.GoogleClientID != "" && c.GoogleClientSecret != "" }

// IsSQLite reports whether the database is the embedded SQLite file.
func (c *Config) IsSQLite() bool { return strings.HasPrefix(c.DatabaseURL, "sqlite://") }

// SQLitePath is the file path of a sqlite:// database URL.
func (c *Config) SQLitePath() string { return strings.TrimPrefix(c.DatabaseURL, "sqlite://") }

func decodeKey(v string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(v); err == nil {
			if len(k) != 32 {
				return nil, fmt.Errorf("key is %d bytes, want 32 (base64 of 32 random bytes, e.g. `openssl rand -base64 32`)", len(k))
			}
			return k, nil
		}
	}
	return nil, errors.New("not valid base64 (want 32 random bytes, e.g. `openssl rand -base64 32`)")
}
