// Package validate checks user input against the contract's limits and
// reports the offending field as an invalid_input error.
package validate

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rendezvous/rendezvous/internal/apperr"
)

// Contract limits on text fields, in characters.
const (
	MaxName = 200
	MaxNote = 2000
)

// Text checks that v is valid UTF-8 without NUL and at most max characters;
// required refuses blank values.
func Text(field, v string, max int, required bool) error {
	if !utf8.ValidString(v) {
		return apperr.Field(field, "must be valid UTF-8")
	}
	if strings.ContainsRune(v, 0) {
		return apperr.Field(field, "must not contain NUL characters")
	}
	if n := utf8.RuneCountInString(v); n > max {
		return apperr.Field(field, "is %d characters long; at most %d are allowed", n, max)
	}
	if required && strings.TrimSpace(v) == "" {
		return apperr.Field(field, "is required")
	}
	return nil
}

// Name is Text for a required name.
func Name(field, v string) error { return Text(field, v, MaxName, true) }

// Email checks a single bare address and returns it trimmed.
func Email(field, v string) (string, error) {
	v = strings.TrimSpace(v)
	if err := Text(field, v, MaxName, true); err != nil {
		return "", err
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v || a.Name != "" {
		return "", apperr.Field(field, "%q is not an email address", v)
	}
	return v, nil
}

// EmailKey normalises an address for comparisons.
func EmailKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// Timezone loads an IANA zone by name; "Local" and "" are refused because
// they depend on the server.
func Timezone(field, name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, apperr.Field(field, "an IANA time zone such as Europe/Paris is required")
	}
	if err := Text(field, name, MaxName, true); err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, apperr.Field(field, "%q is not an IANA time zone", name)
	}
	return loc, nil
}

// IntRange checks lo <= v <= hi.
func IntRange(field string, v, lo, hi int) error {
	if v < lo || v > hi {
		return apperr.Field(field, "must be between %d and %d, got %d", lo, hi, v)
	}
	return nil
}

// Language picks "fr" or "en" (the default) from a language tag.
func Language(tag string) string {
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(tag)), "fr") {
		return "fr"
	}
	return "en"
}

// Window checks a time window of the API: from before to, at most 366 days.
func Window(from, to time.Time) error {
	if !from.Before(to) {
		return apperr.Field("from", "must be before to")
	}
	if to.Sub(from) > 366*24*time.Hour {
		return apperr.Field("to", "the window may span at most 366 days")
	}
	return nil
}
