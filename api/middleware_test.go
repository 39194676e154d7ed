package api

import "testing"

func TestRedactPath(t *testing.T) {
	token := "Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXg"
	cases := []struct{ route, path, want string }{
		{"/book/:link", "/book/" + token, "/book/:link"},
		{"/api/v1/mentors/:id", "/api/v1/mentors/0190f3a2-1b2c-7d3e-8f40-123456789abc", "/api/v1/mentors/0190f3a2-1b2c-7d3e-8f40-123456789abc"},
		{"", "/book/" + token + "/nope", "/book/:redacted/nope"},
		{"", "/feeds/" + token + ".ics", "/feeds/:redacted"},
		{"/static/*", "/static/" + token, "/static/:redacted"},
		{"", "/nope", "/nope"},
	}
	for _, c := range cases {
		if got := redactPath(c.route, c.path); got != c.want {
			t.Errorf("redactPath(%q, %q) = %q, want %q", c.route, c.path, got, c.want)
		}
	}
}
