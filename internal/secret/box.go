package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// sealedPrefix versions the sealed format so the key or cipher can change.
const sealedPrefix = "v1:"

// Box seals and opens values with AES-256-GCM.
type Box struct {
	aead   cipher.AEAD
	macKey []byte
}

// NewBox builds a Box from a 32-byte key.
func NewBox(key []byte) (*Box, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("secret key is %d bytes, want 32", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	// A separate key for MACs, so no key serves two algorithms.
	macKey := sha256.Sum256(append([]byte("rendezvous mac key\x00"), key...))
	return &Box{aead: aead, macKey: macKey[:]}, nil
}

// Seal encrypts plaintext under a fresh random nonce.
func (b *Box) Seal(plaintext []byte) string {
	nonce := make([]byte, b.aead.NonceSize(), b.aead.NonceSize()+len(plaintext)+b.aead.Overhead())
	rand.Read(nonce)
	out := b.aead.Seal(nonce, nonce, plaintext, nil)
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(out)
}

// SealString is Seal for text.
func (b *Box) SealString(s string) string { return b.Seal([]byte(s)) }

// ErrUnsealable means a stored value cannot be decrypted: it was sealed
// under another RENDEZVOUS_SECRET_KEY, or was tampered with.
var ErrUnsealable = errors.New("stored secret cannot be decrypted (was RENDEZVOUS_SECRET_KEY changed?)")

// Open decrypts a value produced by Seal.
func (b *Box) Open(sealed string) ([]byte, error) {
	raw, ok := strings.CutPrefix(sealed, sealedPrefix)
	if !ok {
		return nil, ErrUnsealable
	}
	data, err := base64.RawStdEncoding.DecodeString(raw)
	if err != nil || len(data) < b.aead.NonceSize() {
		return nil, ErrUnsealable
	}
	n := b.aead.NonceSize()
	plain, err := b.aead.Open(nil, data[:n], data[n:], nil)
	if err != nil {
		return nil, ErrUnsealable
	}
	return plain, nil
}

// OpenString is Open for text.
func (b *Box) OpenString(sealed string) (string, error) {
	p, err := b.Open(sealed)
	return string(p), err
}

// LoadOrCreateKey reads the key file in dir, creating it with a new random
// key (mode 0600) on first start.
func LoadOrCreateKey(dir string) (key []byte, created bool, err error) {
	path := filepath.Join(dir, "secret.key")
	data, err := os.ReadFile(path)
	if err == nil {
		k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(data)))
		if err != nil || len(k) != 32 {
			return nil, false, fmt.Errorf("%s is not a base64 32-byte key", path)
		}
		return k, false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, false, fmt.Errorf("read secret key: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, fmt.Errorf("create data dir: %w", err)
	}
	k := make([]byte, 32)
	rand.Read(k)
	// O_EXCL: two processes starting at once must not both write a key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return LoadOrCreateKey(dir)
	}
	if err != nil {
		return nil, false, fmt.Errorf("create secret key: %w", err)
	}
	defer f.Close()
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(k) + "\n"); err != nil {
		return nil, false, fmt.Errorf("write secret key: %w", err)
	}
	return k, true, f.Sync()
}

// MAC authenticates data with HMAC-SHA256 under a key derived from the
// box's key, for links that must prove who they were given to.
func (b *Box) MAC(data string) string {
	m := hmac.New(sha256.New, b.macKey)
	m.Write([]byte(data))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
