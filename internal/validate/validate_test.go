package validate

import (
	"strings"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/apperr"
)

func TestText(t *testing.T) {
	cases := []struct {
		v     string
		ok    bool
		field string
	}{
		{"Zoé 李", true, ""},
		{strings.Repeat("é", 200), true, ""},
		{strings.Repeat("é", 201), false, "name"},
		{"a\x00b", false, "name"},
		{"\xff", false, "name"},
		{"   ", false, "name"},
	}
	for _, c := range cases {
		err := Name("name", c.v)
		if (err == nil) != c.ok {
			t.Errorf("Name(%q) = %v", c.v, err)
		}
		if err != nil {
			e, _ := apperr.As(err)
			if e.Code != apperr.Invalid || e.Field != c.field {
				t.Errorf("Name(%q) error %+v", c.v, e)
			}
		}
	}
}

func TestEmailZoneWindow(t *testing.T) {
	if _, err := Email("email", "ada@example.org"); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"", "ada", "Ada <ada@example.org>", "a@b@c"} {
		if _, err := Email("email", bad); err == nil {
			t.Errorf("Email(%q) accepted", bad)
		}
	}
	if _, err := Timezone("timezone", "Asia/Kolkata"); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"", "Local", "Mars/Olympus", "../etc/passwd"} {
		if _, err := Timezone("timezone", bad); err == nil {
			t.Errorf("Timezone(%q) accepted", bad)
		}
	}
	now := time.Now()
	if Window(now, now) == nil || Window(now, now.Add(367*24*time.Hour)) == nil || Window(now, now.Add(time.Hour)) != nil {
		t.Error("window checks are wrong")
	}
}
