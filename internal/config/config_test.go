package config

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

func load(t *testing.T, env map[string]string, args ...string) (*Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return Load(fs, args, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
}

func TestDefaults(t *testing.T) {
	c, err := load(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.BaseURL.String() != "http://localhost:8080" || c.DatabaseURL != "sqlite://data/rendezvous.db" {
		t.Errorf("unexpected defaults: %+v", c)
	}
	if c.Video != "jitsi" || c.SyncInterval != 5*time.Minute || c.RateLimit != 60 || c.AllowPrivateHosts {
		t.Errorf("unexpected defaults: %+v", c)
	}
	if len(c.Reminders) != 2 || c.Reminders[0] != time.Hour || c.Reminders[1] != 24*time.Hour {
		t.Errorf("reminders = %v", c.Reminders)
	}
	if !c.IsSQLite() || c.SQLitePath() != "data/rendezvous.db" {
		t.Errorf("sqlite path = %q", c.SQLitePath())
	}
}

func TestPrecedenceFlagOverEnv(t *testing.T) {
	c, err := load(t, map[string]string{"RENDEZVOUS_ADDR": ":9000", "RENDEZVOUS_REMINDERS": ""}, "--addr", ":9100", "--database-url", "sqlite:///var/lib/x.db")
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":9100" {
		t.Errorf("flag did not win: %q", c.Addr)
	}
	if c.SQLitePath() != "/var/lib/x.db" {
		t.Errorf("absolute sqlite path = %q", c.SQLitePath())
	}
	if len(c.Reminders) != 0 {
		t.Errorf("empty RENDEZVOUS_REMINDERS must mean none, got %v", c.Reminders)
	}
}

func TestBadValuesNameTheVariable(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"RENDEZVOUS_DATABASE_URL": "mysql://x"}, "RENDEZVOUS_DATABASE_URL"},
		{map[string]string{"RENDEZVOUS_DATABASE_URL": "postgres://u:secret@%zz/db"}, "RENDEZVOUS_DATABASE_URL"},
		{map[string]string{"RENDEZVOUS_BASE_URL": "localhost:8080"}, "RENDEZVOUS_BASE_URL"},
		{map[string]string{"RENDEZVOUS_VIDEO": "zoom"}, "RENDEZVOUS_VIDEO"},
		{map[string]string{"RENDEZVOUS_SECRET_KEY": "not-base64!!"}, "RENDEZVOUS_SECRET_KEY"},
		{map[string]string{"RENDEZVOUS_SECRET_KEY": "c2hvcnQ="}, "RENDEZVOUS_SECRET_KEY"},
		{map[string]string{"RENDEZVOUS_SMTP_URL": "http://mail"}, "RENDEZVOUS_SMTP_URL"},
		{map[string]string{"RENDEZVOUS_SYNC_INTERVAL": "often"}, "RENDEZVOUS_SYNC_INTERVAL"},
		{map[string]string{"RENDEZVOUS_RATE_LIMIT": "lots"}, "RENDEZVOUS_RATE_LIMIT"},
		{map[string]string{"RENDEZVOUS_REMINDERS": "24h,soon"}, "RENDEZVOUS_REMINDERS"},
		{map[string]string{"RENDEZVOUS_ALLOW_PRIVATE_HOSTS": "maybe"}, "RENDEZVOUS_ALLOW_PRIVATE_HOSTS"},
		{map[string]string{"RENDEZVOUS_VIDEO": "bbb"}, "RENDEZVOUS_VIDEO"},
		{map[string]string{"RENDEZVOUS_ADMIN_TOKEN": "short"}, "RENDEZVOUS_ADMIN_TOKEN"},
		{map[string]string{"RENDEZVOUS_TRUSTED_PROXIES": "10.0.0.0/8,proxy.internal"}, "RENDEZVOUS_TRUSTED_PROXIES"},
	}
	for _, tc := range cases {
		_, err := load(t, tc.env)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want+":") {
			t.Errorf("%v: error %v, want one starting with %s", tc.env, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret@") {
			t.Errorf("error leaks a password: %v", err)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("error must be one line: %q", err)
		}
	}
}

func TestGoodValues(t *testing.T) {
	c, err := load(t, map[string]string{
		"RENDEZVOUS_SECRET_KEY":      "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
		"RENDEZVOUS_RATE_LIMIT":      "0",
		"RENDEZVOUS_DATABASE_URL":    "postgres://u:p@127.0.0.1:5432/test?sslmode=disable",
		"RENDEZVOUS_VIDEO":           "template",
		"RENDEZVOUS_VIDEO_TEMPLATE":  "https://video.example.org/{room}",
		"RENDEZVOUS_TRUSTED_PROXIES": " 10.1.2.3/8, 192.0.2.7 ,fd00::/8",
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.SecretKey) != 32 || c.RateLimit != 0 || c.IsSQLite() {
		t.Errorf("unexpected: %+v", c)
	}
	if got := fmt.Sprint(c.TrustedProxies); got != "[10.0.0.0/8 192.0.2.7/32 fd00::/8]" {
		t.Errorf("trusted proxies %s", got)
	}
}

// TestMentorsPerMentee: one mentor per person unless
// RENDEZVOUS_MENTORS_PER_MENTEE says more (a co-mentored programme); a
// value outside 1-100 is refused naming the variable.
func TestMentorsPerMentee(t *testing.T) {
	if c, err := load(t, nil); err != nil || c.MentorsPerMentee != 1 {
		t.Fatalf("default: %+v %v", c, err)
	}
	if c, err := load(t, map[string]string{"RENDEZVOUS_MENTORS_PER_MENTEE": "2"}); err != nil || c.MentorsPerMentee != 2 {
		t.Fatalf("2: %+v %v", c, err)
	}
	for _, bad := range []string{"0", "-1", "many", "101"} {
		if _, err := load(t, map[string]string{"RENDEZVOUS_MENTORS_PER_MENTEE": bad}); err == nil || !strings.HasPrefix(err.Error(), "RENDEZVOUS_MENTORS_PER_MENTEE:") {
			t.Errorf("%q: %v, want an error naming the variable", bad, err)
		}
	}
}
