package store

import (
	"context"
	"fmt"
)

// The statuses of a mentor.
const (
	// MentorActive takes new mentees and bookings.
	MentorActive = "active"
	// MentorPaused takes no new mentees; their mentees keep booking.
	MentorPaused = "paused"
	// MentorInactive offers no slots and takes no mentees.
	MentorInactive = "inactive"
)

// InsertMentor stores a new mentor; another mentor with the same address
// (in any case) is ErrDuplicate.
func (q Q) InsertMentor(ctx context.Context, m *Mentor) error {
	if m.Status == "" {
		m.Status = MentorActive
	}
	db, cancel := q.with(ctx)
	defer cancel()
	if err := db.Create(m).Error; err != nil {
		return fmt.Errorf("insert mentor: %w", translate(err))
	}
	return nil
}

// UpdateMentor writes every column of m.
func (q Q) UpdateMentor(ctx context.Context, m *Mentor) error {
	db, cancel := q.with(ctx)
	defer cancel()
	res := db.Save(m)
	if res.Error != nil {
		return fmt.Errorf("update mentor %s: %w", m.ID, translate(res.Error))
	}
	return nil
}

// Mentor reads a mentor by id.
func (q Q) Mentor(ctx context.Context, id string) (*Mentor, error) {
	return q.mentorWhere(ctx, "id = ?", id)
}

// MentorByTokenHash finds the mentor whose API token hashes to h.
func (q Q) MentorByTokenHash(ctx context.Context, h string) (*Mentor, error) {
	return q.mentorWhere(ctx, "token_hash = ?", h)
}

// MentorByFeedTokenHash finds the mentor whose feed token hashes to h.
func (q Q) MentorByFeedTokenHash(ctx context.Context, h string) (*Mentor, error) {
	return q.mentorWhere(ctx, "feed_token_hash = ?", h)
}

// MentorByPublicTokenHash finds the mentor whose public link hashes to h.
func (q Q) MentorByPublicTokenHash(ctx context.Context, h string) (*Mentor, error) {
	return q.mentorWhere(ctx, "public_token_hash = ?", h)
}

func (q Q) mentorWhere(ctx context.Context, cond string, arg any) (*Mentor, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var m Mentor
	if err := db.Where(cond, arg).Take(&m).Error; err != nil {
		return nil, fmt.Errorf("read mentor: %w", translate(err))
	}
	return &m, nil
}

// Mentors lists every mentor, oldest first.
func (q Q) Mentors(ctx context.Context) ([]Mentor, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var ms []Mentor
	if err := db.Order("created_at, id").Find(&ms).Error; err != nil {
		return nil, fmt.Errorf("list mentors: %w", translate(err))
	}
	return ms, nil
}

// LockMentor takes the mentor's row lock inside a transaction, so that
// concurrent caseload and booking changes of one mentor serialise. SQLite's
// IMMEDIATE transactions already serialise every writer.
func (q Q) LockMentor(ctx context.Context, id string) (*Mentor, error) {
	return q.lockMentorWhere(ctx, "id = ?", id)
}

// LockMentorByPublicTokenHash is LockMentor by public link.
func (q Q) LockMentorByPublicTokenHash(ctx context.Context, h string) (*Mentor, error) {
	return q.lockMentorWhere(ctx, "public_token_hash = ?", h)
}

// LockMentorOfLink is LockMentor of the mentee whose booking link hashes
// to h, found in the same statement (one round trip instead of two). The
// mentee must be read again under the lock: the mentorship may have ended
// or moved while the statement waited for it.
func (q Q) LockMentorOfLink(ctx context.Context, h string) (*Mentor, error) {
	return q.lockMentorWhere(ctx, "id = (SELECT mentor_id FROM mentees WHERE link_token_hash = ?)", h)
}

func (q Q) lockMentorWhere(ctx context.Context, cond string, arg any) (*Mentor, error) {
	if q.dialect != Postgres {
		return q.mentorWhere(ctx, cond, arg)
	}
	db, cancel := q.with(ctx)
	defer cancel()
	var m Mentor
	if err := db.Raw("SELECT * FROM mentors WHERE "+cond+" FOR UPDATE", arg).Scan(&m).Error; err != nil {
		return nil, fmt.Errorf("lock mentor: %w", translate(err))
	}
	if m.ID == "" {
		return nil, fmt.Errorf("lock mentor: %w", ErrNotFound)
	}
	return &m, nil
}
