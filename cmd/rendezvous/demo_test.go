package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// TestDemoKeepsItsTokenAndSignsTheMentorIn: `serve --demo` prints the
// demo mentor's address and a sign-in link that opens the mentor area,
// and a restarted demo keeps its admin token (and says where it is).
func TestDemoKeepsItsTokenAndSignsTheMentorIn(t *testing.T) {
	db := storetest.SQLite(t)
	dataDir := filepath.Join(t.TempDir(), "data")
	env := map[string]string{"RENDEZVOUS_DATA_DIR": dataDir}
	first := startServe(t, db, env, "--demo")
	out := strings.Join(first.printed, "\n")
	if first.adminToken == "" || !strings.Contains(out, "demo mentor: Ada Lovelace (demo) <ada@example.org>") ||
		!strings.Contains(out, filepath.Join(dataDir, "demo-admin-token")) {
		t.Fatalf("the demo printed:\n%s", out)
	}
	link := regexp.MustCompile(`https?://\S+/mentor/signin/\S+`).FindString(out)
	if link == "" {
		t.Fatalf("no sign-in link in:\n%s", out)
	}
	if info, err := os.Stat(filepath.Join(dataDir, "demo-admin-token")); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("the kept token file: %v %v", info, err)
	}

	b := newBrowser(t)
	tab := b.tab("Europe/Paris", "en", 1280, 800, false)
	b.do(tab, "follow the printed link", chromedp.Navigate(first.base+link[strings.Index(link, "/mentor/signin/"):]),
		chromedp.Click(chromedp.CSS("#signin-button")), chromedp.WaitVisible(chromedp.CSS("#caseload-heading")))
	if got := evalString(t, tab, `document.querySelector('h1').textContent`); got != "Ada Lovelace (demo)" {
		t.Errorf("signed in as %q", got)
	}
	if err := first.stop(); err != nil {
		t.Fatal(err)
	}

	again := startServe(t, db, env, "--demo")
	defer again.stop()
	if again.adminToken != first.adminToken {
		t.Errorf("the restarted demo changed its admin token: %q, was %q", again.adminToken, first.adminToken)
	}
	admin := client{t: t, base: again.base, token: again.adminToken}
	if st := admin.do("GET", "/api/v1/mentors", nil, nil); st != 200 {
		t.Errorf("the kept admin token answers %d", st)
	}
}
