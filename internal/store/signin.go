package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// MentorsByEmail lists the mentors with this address, compared without
// case: one person may mentor in several programmes of one installation.
func (q Q) MentorsByEmail(ctx context.Context, email string) ([]Mentor, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var out []Mentor
	// lower() on both sides: the unique index is on lower(email), and
	// each database lowers the same way on both sides.
	if err := db.Where("lower(email) = lower(?)", strings.TrimSpace(email)).Order("created_at").Limit(10).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("mentors by email: %w", translate(err))
	}
	return out, nil
}

// InsertSigninToken stores a sign-in link's hash.
func (q Q) InsertSigninToken(ctx context.Context, t *SigninToken) error {
	db, cancel := q.with(ctx)
	defer cancel()
	if err := db.Create(t).Error; err != nil {
		return fmt.Errorf("insert sign-in token: %w", translate(err))
	}
	return nil
}

// UseSigninToken marks an unexpired, unused sign-in token as used and
// returns its mentor. The single conditional UPDATE is what makes the link
// single-use when two requests race: only one of them changes the row.
func (q Q) UseSigninToken(ctx context.Context, hash string, now time.Time) (string, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	res := db.Model(&SigninToken{}).
		Where("token_hash = ? AND used_at IS NULL AND expires_at > ?", hash, UTCSecond(now)).
		Update("used_at", UTCSecond(now))
	if res.Error != nil {
		return "", fmt.Errorf("use sign-in token: %w", translate(res.Error))
	}
	if res.RowsAffected != 1 {
		return "", ErrNotFound
	}
	var t SigninToken
	if err := db.Where("token_hash = ?", hash).Take(&t).Error; err != nil {
		return "", fmt.Errorf("read sign-in token: %w", translate(err))
	}
	return t.MentorID, nil
}

// InsertMentorSession stores a signed-in browser's session.
func (q Q) InsertMentorSession(ctx context.Context, m *MentorSession) error {
	m.CreatedAt, m.ExpiresAt = UTCSecond(m.CreatedAt), UTCSecond(m.ExpiresAt)
	db, cancel := q.with(ctx)
	defer cancel()
	if err := db.Create(m).Error; err != nil {
		return fmt.Errorf("insert mentor session: %w", translate(err))
	}
	return nil
}

// MentorSessionMentor returns the mentor of an unexpired session.
func (q Q) MentorSessionMentor(ctx context.Context, hash string, now time.Time) (string, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var m MentorSession
	err := db.Where("token_hash = ? AND expires_at > ?", hash, UTCSecond(now)).Take(&m).Error
	if err != nil {
		return "", fmt.Errorf("read mentor session: %w", translate(err))
	}
	return m.MentorID, nil
}

// DeleteMentorSessions ends a session by its hash, or with all set, every
// session of that session's mentor.
func (q Q) DeleteMentorSessions(ctx context.Context, hash string, all bool) error {
	db, cancel := q.with(ctx)
	defer cancel()
	cond := "token_hash = ?"
	if all {
		cond = "mentor_id IN (SELECT mentor_id FROM mentor_sessions WHERE token_hash = ?)"
	}
	res := db.Where(cond, hash).Delete(&MentorSession{})
	if res.Error != nil {
		return fmt.Errorf("delete mentor sessions: %w", translate(res.Error))
	}
	return nil
}
