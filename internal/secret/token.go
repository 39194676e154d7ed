// Package secret holds Rendezvous' small cryptographic needs: random
// tokens, their hashes for storage and constant-time checks, and AES-GCM
// sealing of stored credentials.
package secret

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
)

// NewToken returns 256 random bits, URL-safe, for bearer, link, feed and
// manage tokens.
func NewToken() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand panics on an unusable source)
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashToken is how a token is stored and looked up: tokens carry 256 random
// bits, so a fast unsalted hash is enough and lets us index the column.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Equal compares two secrets in constant time.
func Equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// MatchesHash reports whether token hashes to storedHash, in constant time.
func MatchesHash(token, storedHash string) bool {
	return Equal(HashToken(token), storedHash)
}

// Plausible rejects values that cannot be a token before any lookup:
// empty, or far longer than NewToken makes.
func Plausible(token string) bool { return token != "" && len(token) <= 100 }
