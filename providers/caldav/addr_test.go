package caldav

import (
	"testing"

	"github.com/rendezvous/rendezvous/providers/caldav/caldavtest"
)

// The account's own addresses (calendar-user-address-set) are read by
// discovery from every URL form, on the servers that publish them.
func TestAccountAddresses(t *testing.T) {
	servers(t, func(t *testing.T, name string, srv *caldavtest.Server) {
		for _, url := range []string{srv.URL, srv.PrincipalURL, srv.HomeURL, srv.CalendarURL} {
			got := connect(t, srv, url).Addresses()
			t.Logf("%s from %s: %v", name, url, got)
			if srv.Email == "" {
				continue
			}
			found := false
			for _, a := range got {
				if a == "mailto:"+srv.Email {
					found = true
				}
			}
			if !found {
				t.Errorf("from %s: addresses %v lack mailto:%s", url, got, srv.Email)
			}
		}
	})
}
