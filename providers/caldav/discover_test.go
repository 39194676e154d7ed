package caldav

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rendezvous/rendezvous/providers/caldav/caldavtest"
	"github.com/rendezvous/rendezvous/providers/netguard"
)

func TestDiscoveryFromEveryURLForm(t *testing.T) {
	servers(t, func(t *testing.T, server string, srv *caldavtest.Server) {
		// Xandikos claims every component type for every calendar, so
		// only Radicale can show a task list being skipped.
		honoursComponentSet := server == "radicale"
		tasks := strings.TrimSuffix(srv.CalendarURL, "/") + "-tasks/"
		srv.MakeCalendar(t, tasks, "Tasks", "VTODO")
		t.Cleanup(func() { srv.DeleteCollection(t, tasks) })
		calRef := strings.TrimPrefix(srv.CalendarURL, strings.TrimSuffix(srv.URL, "/"))
		forms := map[string]string{
			"root":       srv.URL,
			"root-bare":  strings.TrimSuffix(srv.URL, "/"),
			"well-known": srv.URL + ".well-known/caldav",
			"principal":  srv.PrincipalURL,
			"home":       srv.HomeURL,
		}
		for form, url := range forms {
			t.Run(form, func(t *testing.T) {
				cals, err := connect(t, srv, url).Calendars(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				found := false
				for _, c := range cals {
					if strings.Contains(c.Ref, "tasks") && honoursComponentSet {
						t.Errorf("task list %q listed as an event calendar", c.Ref)
					}
					if c.Ref == calRef {
						found = true
						if !c.Writable {
							t.Errorf("%s not writable", c.Ref)
						}
					}
				}
				if !found {
					t.Errorf("calendar %s not found in %+v", calRef, cals)
				}
			})
		}
		t.Run("single-calendar", func(t *testing.T) {
			cals, err := connect(t, srv, srv.CalendarURL).Calendars(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(cals) != 1 || cals[0].Ref != calRef {
				t.Fatalf("got %+v, want only %s", cals, calRef)
			}
		})
	})
}

func TestWrongPasswordIsErrAuth(t *testing.T) {
	srv := caldavtest.StartRadicale(t)
	_, err := Connect(context.Background(), Credentials{URL: srv.URL, Username: srv.Username, Password: "wrong"}, testOptions(nil))
	if !errors.Is(err, ErrAuth) {
		t.Fatalf("got %v, want ErrAuth", err)
	}
	t.Logf("message: %v", err)
}

func TestPlainWebPageIsNotCalDAV(t *testing.T) {
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html><body>Welcome</body></html>"))
	}))
	defer site.Close()
	for _, url := range []string{site.URL, site.URL + "/some/page"} {
		_, err := Connect(context.Background(), Credentials{URL: url}, testOptions(nil))
		if !errors.Is(err, ErrNotCalDAV) || !strings.Contains(err.Error(), "not a CalDAV server") {
			t.Fatalf("%s: got %v, want ErrNotCalDAV saying so", url, err)
		}
	}

	notFound := httptest.NewServer(http.NotFoundHandler())
	defer notFound.Close()
	if _, err := Connect(context.Background(), Credentials{URL: notFound.URL}, testOptions(nil)); !errors.Is(err, ErrNotCalDAV) {
		t.Fatalf("404 site: got %v, want ErrNotCalDAV", err)
	}
}

func TestClosedPortIsUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String() + "/"
	l.Close()
	_, err = Connect(context.Background(), Credentials{URL: url}, testOptions(nil))
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("got %v, want ErrUnreachable", err)
	}
}

func TestServerErrorIsUnreachable(t *testing.T) {
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
	}))
	defer site.Close()
	_, err := Connect(context.Background(), Credentials{URL: site.URL}, testOptions(nil))
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("got %v, want ErrUnreachable", err)
	}
}

func TestLoopbackRefusedWithoutAllowPrivate(t *testing.T) {
	site := httptest.NewServer(http.NotFoundHandler())
	defer site.Close()
	for _, opts := range []Options{{}, {HTTPClient: netguard.NewHTTPClient(netguard.Options{})}} {
		_, err := Connect(context.Background(), Credentials{URL: site.URL}, opts)
		if !errors.Is(err, netguard.ErrForbiddenAddress) || errors.Is(err, ErrUnreachable) {
			t.Fatalf("got %v, want only netguard.ErrForbiddenAddress", err)
		}
	}
}

func TestRejectsNonHTTPURL(t *testing.T) {
	for _, url := range []string{"", "ftp://example.org/", "example.org/dav", "http://"} {
		if _, err := Open(Credentials{URL: url}, Options{}); !errors.Is(err, ErrNotCalDAV) {
			t.Errorf("%q: got %v, want ErrNotCalDAV", url, err)
		}
	}
}
