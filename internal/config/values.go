package config

import (
	"errors"
	"fmt"
	"net/mail"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

func applyBaseURL(c *Config, v string) error {
	u, err := url.Parse(strings.TrimRight(v, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", v)
	}
	c.BaseURL = u
	return nil
}

func applyDatabaseURL(c *Config, v string) error {
	switch {
	case strings.HasPrefix(v, "sqlite://"):
		if strings.TrimPrefix(v, "sqlite://") == "" {
			return errors.New("sqlite:// needs a file path, e.g. sqlite://data/rendezvous.db")
		}
	case strings.HasPrefix(v, "postgres://"), strings.HasPrefix(v, "postgresql://"):
		u, err := url.Parse(v)
		if err != nil || u.Host == "" && u.Query().Get("host") == "" {
			return fmt.Errorf("%q is not a valid postgres:// URL", redact(v))
		}
	default:
		return fmt.Errorf("%q: want sqlite://PATH or postgres://…", redact(v))
	}
	c.DatabaseURL = v
	return nil
}

func applyAdminToken(c *Config, v string) error {
	if v != "" && len(v) < 22 {
		return errors.New("too short: use at least 22 characters (128 random bits)")
	}
	c.AdminToken = v
	return nil
}

func applySecretKey(c *Config, v string) error {
	if v == "" {
		return nil
	}
	k, err := decodeKey(v)
	if err != nil {
		return err
	}
	c.SecretKey = k
	return nil
}

func applySMTPURL(c *Config, v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return fmt.Errorf("%q: want smtp://user:pass@host:port or smtps://…", redact(v))
	}
	c.SMTPURL = v
	return nil
}

func applyVideo(c *Config, v string) error {
	if !slices.Contains(videoKinds, v) {
		return fmt.Errorf("unknown video provider %q (want one of %s)", v, strings.Join(videoKinds, ", "))
	}
	c.Video = v
	return nil
}

func applyHTTPURL(name string, dst func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error {
		if v == "" {
			*dst(c) = ""
			return nil
		}
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%q is not an http(s) URL", v)
		}
		*dst(c) = strings.TrimRight(v, "/")
		return nil
	}
}

func applyDuration(name string, min time.Duration, dst func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("%q is not a duration like 5m or 1h", v)
		}
		if d < min {
			return fmt.Errorf("%s is below the minimum of %s", d, min)
		}
		*dst(c) = d
		return nil
	}
}

func applyAllowPrivate(c *Config, v string) error {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return fmt.Errorf("%q is not a boolean (true or false)", v)
	}
	c.AllowPrivateHosts = b
	return nil
}

// applyRateLimit accepts "N/m", "N/s", "N/h" or "0".
func applyRateLimit(c *Config, v string) error {
	if v == "0" {
		c.RateLimit = 0
		return nil
	}
	n, per, ok := strings.Cut(v, "/")
	count, err := strconv.Atoi(n)
	if !ok || err != nil || count <= 0 {
		return fmt.Errorf("%q: want N/m (requests per minute), N/s, N/h, or 0 to turn it off", v)
	}
	switch per {
	case "s":
		count *= 60
	case "m":
	case "h":
		count = max(1, count/60)
	default:
		return fmt.Errorf("%q: the unit must be s, m or h", v)
	}
	c.RateLimit = count
	return nil
}

func applyReminders(c *Config, v string) error {
	c.Reminders = nil
	if v == "" {
		return nil
	}
	for part := range strings.SplitSeq(v, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(part))
		if err != nil || d <= 0 {
			return fmt.Errorf("%q is not a positive duration like 24h", part)
		}
		c.Reminders = append(c.Reminders, d)
	}
	slices.Sort(c.Reminders)
	c.Reminders = slices.Compact(c.Reminders)
	return nil
}

func applyLogLevel(c *Config, v string) error {
	switch v {
	case "debug", "info", "warn", "error":
		c.LogLevel = v
		return nil
	}
	return fmt.Errorf("%q: want debug, info, warn or error", v)
}

// redact hides the password of a URL in error messages.
func redact(v string) string {
	u, err := url.Parse(v)
	if err != nil {
		if strings.Contains(v, "@") {
			return "(unparseable URL, hidden as it may hold a password)"
		}
		return v
	}
	if u.User == nil {
		return v
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// applyTrustedProxies reads CIDRs (a bare address is one host). A proxy
// must be named: trusting forwarded headers from anyone lets every client
// pick its own address and so escape rate limits.
func applyTrustedProxies(c *Config, v string) error {
	c.TrustedProxies = nil
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		prefix, err := netip.ParsePrefix(part)
		if err != nil {
			addr, aerr := netip.ParseAddr(part)
			if aerr != nil {
				return fmt.Errorf("%q is not a CIDR like 10.0.0.0/8 or an address", part)
			}
			prefix = netip.PrefixFrom(addr, addr.BitLen())
		}
		c.TrustedProxies = append(c.TrustedProxies, prefix.Masked())
	}
	return nil
}

func applyMentorsPerMentee(c *Config, v string) error {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 || n > 100 {
		return fmt.Errorf("%q is not a whole number from 1 to 100", v)
	}
	c.MentorsPerMentee = n
	return nil
}

// applyAdminEmails accepts comma-separated bare addresses.
func applyAdminEmails(c *Config, v string) error {
	c.AdminEmails = nil
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		addr, err := mail.ParseAddress(part)
		if err != nil || addr.Name != "" || addr.Address != part {
			return fmt.Errorf("%q is not an e-mail address like admin@example.org", part)
		}
		c.AdminEmails = append(c.AdminEmails, addr.Address)
	}
	return nil
}
