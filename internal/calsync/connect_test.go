package calsync_test

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rendezvous/rendezvous/internal/store/storetest"
	"github.com/rendezvous/rendezvous/providers/caldav/caldavtest"
)

// peers runs f against each real CalDAV server.
func peers(t *testing.T, f func(t *testing.T, srv *caldavtest.Server)) {
	t.Run("radicale", func(t *testing.T) { f(t, caldavtest.StartRadicale(t)) })
	t.Run("xandikos", func(t *testing.T) { f(t, caldavtest.StartXandikos(t)) })
}

func TestConnectFromEveryURLForm(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		a := startApp(t, db, appOptions{allowPrivate: true})
		peers(t, func(t *testing.T, srv *caldavtest.Server) {
			for _, form := range []struct{ name, url string }{
				{"root", srv.URL}, {"principal", srv.PrincipalURL}, {"home", srv.HomeURL}, {"calendar", srv.CalendarURL},
			} {
				m := a.createMentor("Mentor" + strings.ReplaceAll(form.name, "-", ""))
				var got connectionJSON
				if st := m.connect(form.url, srv.Username, srv.Password, &got); st != 201 {
					t.Fatalf("%s: connect = %d", form.name, st)
				}
				if got.ID == "" || got.Provider != "caldav" || got.Status != "ok" || len(got.Calendars) == 0 {
					t.Fatalf("%s: connection = %+v", form.name, got)
				}
				targets := 0
				for _, k := range got.Calendars {
					if !k.CheckConflicts {
						t.Errorf("%s: calendar %q does not check conflicts", form.name, k.Name)
					}
					if k.WriteTarget {
						targets++
					}
				}
				if targets != 1 {
					t.Errorf("%s: %d write targets, want 1: %+v", form.name, targets, got.Calendars)
				}
				list := m.connections()
				if len(list) != 1 || list[0].ID != got.ID || list[0].URL != form.url || list[0].Username != srv.Username ||
					list[0].Password != nil || list[0].LastSuccess == nil || list[0].Error != nil {
					t.Fatalf("%s: listed %+v", form.name, list)
				}
				// A second connection of the same account does not take the
				// write target from the first.
				var second connectionJSON
				if st := m.connect(form.url, srv.Username, srv.Password, &second); st != 201 {
					t.Fatalf("%s: second connect = %d", form.name, st)
				}
				for _, k := range second.Calendars {
					if k.WriteTarget {
						t.Errorf("%s: second connection took the write target", form.name)
					}
				}
				if st := m.as.do("DELETE", "/api/v1/mentors/"+m.ID+"/connections/"+second.ID, nil, nil); st != 204 {
					t.Fatalf("delete: %d", st)
				}
				if n := len(m.connections()); n != 1 {
					t.Fatalf("%s: %d connections after delete, want 1", form.name, n)
				}
			}
		})
	})
}

func TestConnectFailuresStoreNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		srv := caldavtest.StartRadicale(t)
		notDAV := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html>a blog</html>")
		}))
		defer notDAV.Close()
		closed := closedPort(t)

		open := startApp(t, db, appOptions{allowPrivate: true})
		m := open.createMentor("Ada")
		cases := []struct {
			name, url, user, pass string
			status                int
			code                  string
		}{
			{"wrong password", srv.URL, srv.Username, "wrong", 422, "calendar_auth_failed"},
			{"not caldav", notDAV.URL, "", "", 422, "calendar_not_caldav"},
			{"closed port", "http://" + closed + "/", "u", "p", 502, "calendar_unreachable"},
			{"ftp", "ftp://example.org/", "u", "p", 422, "invalid_input"},
		}
		for _, c := range cases {
			var p problem
			if st := m.connect(c.url, c.user, c.pass, &p); st != c.status || p.Code != c.code {
				t.Errorf("%s: got %d %+v, want %d %s", c.name, st, p, c.status, c.code)
			}
			if c.code == "calendar_not_caldav" && !strings.Contains(p.Detail, "not a CalDAV server") {
				t.Errorf("not caldav: detail %q does not say so", p.Detail)
			}
		}
		if n := len(m.connections()); n != 0 {
			t.Fatalf("%d connections stored after failures", n)
		}

		guarded := startApp(t, storetest.SQLite(t), appOptions{allowPrivate: false})
		g := guarded.createMentor("Grace")
		var p problem
		host := strings.TrimPrefix(strings.TrimSuffix(srv.URL, "/"), "http://")
		if st := g.connect("https://"+host+"/", srv.Username, srv.Password, &p); st != 422 || p.Code != "calendar_url_forbidden" {
			t.Errorf("private host: got %d %+v", st, p)
		}
		if st := g.connect(srv.URL, srv.Username, srv.Password, &p); st != 422 || p.Code != "invalid_input" {
			t.Errorf("plain http without private hosts: got %d %+v", st, p)
		}
		if n := len(g.connections()); n != 0 {
			t.Fatalf("%d connections stored after refusals", n)
		}
	})
}

func TestPasswordNeverStoredInClear(t *testing.T) {
	db := storetest.SQLite(t)
	a := startApp(t, db, appOptions{allowPrivate: true})
	srv := caldavtest.StartRadicale(t)
	m := a.createMentor("Ada")
	if st := m.connect(srv.URL, srv.Username, srv.Password, nil); st != 201 {
		t.Fatalf("connect: %d", st)
	}
	path := strings.TrimPrefix(db.URL, "sqlite://")
	files, _ := filepath.Glob(path + "*")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte(srv.Password)) {
			t.Fatalf("the password appears in clear in %s", f)
		}
	}
}

func TestOtherMentorsGetNoData(t *testing.T) {
	a := startApp(t, storetest.SQLite(t), appOptions{allowPrivate: true})
	srv := caldavtest.StartRadicale(t)
	owner, other := a.createMentor("Owner"), a.createMentor("Other")
	var conn connectionJSON
	if st := owner.connect(srv.URL, srv.Username, srv.Password, &conn); st != 201 {
		t.Fatalf("connect: %d", st)
	}
	calID := conn.Calendars[0].ID
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/api/v1/mentors/" + owner.ID + "/connections", nil},
		{"GET", "/api/v1/mentors/" + owner.ID + "/busy", nil},
		{"POST", "/api/v1/mentors/" + owner.ID + "/sync", nil},
		{"POST", "/api/v1/mentors/" + owner.ID + "/connections", map[string]string{"provider": "caldav", "url": srv.URL}},
		{"DELETE", "/api/v1/mentors/" + owner.ID + "/connections/" + conn.ID, nil},
		{"PATCH", "/api/v1/mentors/" + owner.ID + "/calendars/" + calID, map[string]bool{"check_conflicts": false}},
		// Through the caller's own id, the owner's resources do not exist.
		{"DELETE", "/api/v1/mentors/" + other.ID + "/connections/" + conn.ID, nil},
		{"PATCH", "/api/v1/mentors/" + other.ID + "/calendars/" + calID, map[string]bool{"check_conflicts": false}},
	} {
		var p problem
		st := other.as.do(c.method, c.path, c.body, &p)
		if st != 403 && st != 404 {
			t.Errorf("%s %s with another mentor's token: %d", c.method, c.path, st)
		}
	}
	list := owner.connections()
	if len(list) != 1 || !list[0].Calendars[0].CheckConflicts {
		t.Fatalf("the other mentor changed the owner's connection: %+v", list)
	}
}

// closedPort is a loopback address nobody listens on.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}
