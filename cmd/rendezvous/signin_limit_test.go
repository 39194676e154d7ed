package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/store/storetest"
	"github.com/rendezvous/rendezvous/providers/mail/smtptest"
)

// TestSigninMailsLimitedPerRecipient: sign-in links to one address are
// limited whoever asks. Twenty requests at once, each from its own client
// address (a trusted proxy forwards them, so the per-client limit never
// applies) and in any letter case, mail the mentor five links; the rest
// answer 429 with a Retry-After within the hour. Another address is not
// affected.
func TestSigninMailsLimitedPerRecipient(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		smtp := smtptest.StartServer(t, smtptest.Options{})
		s := startServe(t, db, map[string]string{"RENDEZVOUS_RATE_LIMIT": "5/m", "RENDEZVOUS_TRUSTED_PROXIES": "127.0.0.1/32",
			"RENDEZVOUS_ADMIN_TOKEN": pagesAdminToken, "RENDEZVOUS_SMTP_URL": smtp.URL()})
		t.Cleanup(func() { s.stop() })
		admin := client{t: t, base: s.base, token: pagesAdminToken}
		createMentor(t, admin, nil)
		createMentor(t, admin, map[string]any{"name": "Ada", "email": "ada@example.org"})

		jar, _ := cookiejar.New(nil)
		browser := &http.Client{Jar: jar}
		res, err := browser.Get(s.base + "/mentor/signin")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		token := csrfField.FindStringSubmatch(string(body))[1]
		ask := func(email string, client int) (int, string) {
			form := url.Values{"email": {email}, "_csrf": {token}}
			req, _ := http.NewRequest("POST", s.base+"/mentor/signin", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-For", fmt.Sprintf("203.0.%d.%d", client/250, client%250+1))
			res, err := browser.Do(req)
			if err != nil {
				t.Error(err)
				return 0, ""
			}
			res.Body.Close()
			return res.StatusCode, res.Header.Get("Retry-After")
		}

		var mu sync.Mutex
		statuses := map[int]int{}
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				email := "grace@example.org"
				if i%2 == 1 {
					email = "GRACE@Example.org"
				}
				st, retry := ask(email, i)
				if st == 429 {
					if secs, err := strconv.Atoi(retry); err != nil || secs < 1 || secs > 3600 {
						t.Errorf("429 with Retry-After %q, want 1..3600 seconds", retry)
					}
				}
				mu.Lock()
				statuses[st]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if statuses[200] != 5 || statuses[429] != 15 {
			t.Fatalf("twenty requests for one address from twenty clients: %v, want 5 mailed and 15 refused with 429", statuses)
		}
		if st, _ := ask("ada@example.org", 100); st != 200 {
			t.Fatalf("another address after the flood: %d", st)
		}
		waitFor(t, 20*time.Second, func() bool { return len(smtp.Messages()) >= 6 }, func() string {
			return fmt.Sprintf("6 sign-in mails, got %d", len(smtp.Messages()))
		})
		time.Sleep(time.Second) // nothing more may arrive
		toGrace := 0
		for _, m := range smtp.Messages() {
			if strings.Contains(strings.ToLower(strings.Join(m.To, ",")), "grace@example.org") {
				toGrace++
			}
		}
		if toGrace != 5 {
			t.Fatalf("%d sign-in mails to the flooded address, want 5", toGrace)
		}
	})
}
