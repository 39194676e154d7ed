package mail

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestFileSenderWritesEML(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "mail")
	fs := NewFileSender(dir)
	fs.now = func() time.Time { return composeTime }
	m := inviteMessage(t, "REQUEST")
	if err := fs.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	m2 := inviteMessage(t, "CANCEL")
	m2.MessageID = ""
	if err := fs.Send(context.Background(), m2); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Fatalf("files: %v", entries)
	}
	name := "20261201T090000.000000000Z-abc.1.eml"
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".tmp") || !strings.HasSuffix(e.Name(), ".eml") {
			t.Errorf("stray file %q", e.Name())
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	checkInviteMail(t, data, m)
}
