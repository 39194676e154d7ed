package store

import (
	"context"
	"fmt"
)

// InsertMentee stores a new mentee.
func (q Q) InsertMentee(ctx context.Context, m *Mentee) error {
	db, cancel := q.with(ctx)
	defer cancel()
	if err := db.Create(m).Error; err != nil {
		return fmt.Errorf("insert mentee: %w", translate(err))
	}
	return nil
}

// UpdateMentee writes every column of m.
func (q Q) UpdateMentee(ctx context.Context, m *Mentee) error {
	db, cancel := q.with(ctx)
	defer cancel()
	if err := db.Save(m).Error; err != nil {
		return fmt.Errorf("update mentee %s: %w", m.ID, translate(err))
	}
	return nil
}

// Mentee reads a mentee by id.
func (q Q) Mentee(ctx context.Context, id string) (*Mentee, error) {
	return q.menteeWhere(ctx, "id = ?", id)
}

// MenteeByLinkHash finds the mentee whose booking link hashes to h.
func (q Q) MenteeByLinkHash(ctx context.Context, h string) (*Mentee, error) {
	return q.menteeWhere(ctx, "link_token_hash = ?", h)
}

// ActiveMenteeByEmail finds a mentor's active mentee by normalised email.
func (q Q) ActiveMenteeByEmail(ctx context.Context, mentorID, emailKey string) (*Mentee, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var m Mentee
	err := db.Where("mentor_id = ? AND email_key = ? AND status = 'active'", mentorID, emailKey).Take(&m).Error
	if err != nil {
		return nil, fmt.Errorf("read mentee: %w", translate(err))
	}
	return &m, nil
}

func (q Q) menteeWhere(ctx context.Context, cond string, arg any) (*Mentee, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var m Mentee
	if err := db.Where(cond, arg).Take(&m).Error; err != nil {
		return nil, fmt.Errorf("read mentee: %w", translate(err))
	}
	return &m, nil
}

// ActiveMentees lists a mentor's active mentees by name.
func (q Q) ActiveMentees(ctx context.Context, mentorID string) ([]Mentee, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var ms []Mentee
	err := db.Where("mentor_id = ? AND status = 'active'", mentorID).Order("name, id").Find(&ms).Error
	if err != nil {
		return nil, fmt.Errorf("list mentees: %w", translate(err))
	}
	return ms, nil
}

// CountActiveMentees counts a mentor's active mentees.
func (q Q) CountActiveMentees(ctx context.Context, mentorID string) (int, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var n int64
	err := db.Model(&Mentee{}).Where("mentor_id = ? AND status = 'active'", mentorID).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count mentees: %w", translate(err))
	}
	return int(n), nil
}
