package links

import (
	"net/url"
	"testing"
)

func TestPathsAndURLs(t *testing.T) {
	base, _ := url.Parse("https://rdv.example.org/")
	l := New(base)
	for _, c := range []struct{ got, want string }{
		{Path(Manage, "abc"), "/manage/abc"},
		{Path(MentorSession, "a/b c"), "/mentor/sessions/a%2Fb%20c"},
		{Path(APIBookSlots, "tok"), "/api/v1/book/tok/slots"},
		{l.Book("tok"), "https://rdv.example.org/book/tok"},
		{l.Manage("tok"), "https://rdv.example.org/manage/tok"},
		{l.ICS("b1", "tok"), "https://rdv.example.org/api/v1/bookings/b1.ics?token=tok"},
		{l.Feed("tok"), "https://rdv.example.org/feeds/tok.ics"},
		{l.JoinBase() + "/room", l.URL(Path(Join, "room"))},
		{l.MentorSessionPrefix() + "id1", l.MentorSession("id1")},
		{l.MentorSignin("tok"), "https://rdv.example.org/mentor/signin/tok"},
		{l.StaffSignin("tok"), "https://rdv.example.org/staff/signin/tok"},
		{l.GoogleCallback(), "https://rdv.example.org/oauth/google/callback"},
		{l.Host(), "rdv.example.org"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestPathCountsValues(t *testing.T) {
	for _, values := range [][]string{nil, {"a", "b"}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Path(Manage, %q) did not panic", values)
				}
			}()
			Path(Manage, values...)
		}()
	}
}
