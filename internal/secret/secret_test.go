package secret

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

func TestTokenEntropyAndHash(t *testing.T) {
	a, b := NewToken(), NewToken()
	raw, err := base64.RawURLEncoding.DecodeString(a)
	if err != nil || len(raw) < 16 {
		t.Fatalf("token %q must carry at least 128 bits", a)
	}
	if a == b {
		t.Fatal("two tokens are equal")
	}
	if !MatchesHash(a, HashToken(a)) || MatchesHash(b, HashToken(a)) {
		t.Fatal("hash match is wrong")
	}
}

func TestBoxRoundTripAndTamper(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	box, err := NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	sealed := box.SealString("app-password")
	if strings.Contains(sealed, "app-password") {
		t.Fatal("sealed value shows the plaintext")
	}
	if sealed == box.SealString("app-password") {
		t.Fatal("nonce reuse: two seals are equal")
	}
	got, err := box.OpenString(sealed)
	if err != nil || got != "app-password" {
		t.Fatalf("open = %q, %v", got, err)
	}
	other, _ := NewBox(bytes.Repeat([]byte{8}, 32))
	if _, err := other.Open(sealed); err != ErrUnsealable {
		t.Fatalf("other key: %v", err)
	}
	tampered := sealed[:len(sealed)-2] + "AA"
	if _, err := box.Open(tampered); err != ErrUnsealable {
		t.Fatalf("tampered: %v", err)
	}
	if _, err := NewBox([]byte("short")); err == nil {
		t.Fatal("short key accepted")
	}
}

func TestLoadOrCreateKey(t *testing.T) {
	dir := t.TempDir()
	k1, created, err := LoadOrCreateKey(dir)
	if err != nil || !created || len(k1) != 32 {
		t.Fatalf("create: %v %v", created, err)
	}
	k2, created, err := LoadOrCreateKey(dir)
	if err != nil || created || !bytes.Equal(k1, k2) {
		t.Fatalf("reload: %v %v", created, err)
	}
}
