package store

import (
	"context"
	"fmt"
	"time"
)

// Booking statuses.
const (
	StatusConfirmed = "confirmed"
	StatusCancelled = "cancelled"
)

// InsertBooking stores a session; ErrOverlap when it overlaps a live
// session of the same mentor.
func (q Q) InsertBooking(ctx context.Context, b *Booking) error {
	b.StartAt, b.EndAt = UTCSecond(b.StartAt), UTCSecond(b.EndAt)
	db, cancel := q.with(ctx)
	defer cancel()
	if err := db.Create(b).Error; err != nil {
		return fmt.Errorf("insert booking: %w", translate(err))
	}
	return q.afterBookingWrite(ctx, b)
}

// UpdateBooking writes every column of b; ErrOverlap as for InsertBooking.
func (q Q) UpdateBooking(ctx context.Context, b *Booking) error {
	b.StartAt, b.EndAt = UTCSecond(b.StartAt), UTCSecond(b.EndAt)
	db, cancel := q.with(ctx)
	defer cancel()
	if err := db.Save(b).Error; err != nil {
		return fmt.Errorf("update booking %s: %w", b.ID, translate(err))
	}
	return q.afterBookingWrite(ctx, b)
}

// afterBookingWrite keeps the caseload summary of the booking's pair in
// step: only a session with an outcome, or a cancelled one (which may have
// had one), can change it.
func (q Q) afterBookingWrite(ctx context.Context, b *Booking) error {
	if b.Outcome == nil && b.Status != StatusCancelled {
		return nil
	}
	return q.refreshCaseloadPair(ctx, b.MentorID, b.MenteeID)
}

// Booking reads a booking by id.
func (q Q) Booking(ctx context.Context, id string) (*Booking, error) {
	return q.bookingWhere(ctx, "id = ?", id)
}

// BookingByManageHash finds the booking whose manage token hashes to h.
func (q Q) BookingByManageHash(ctx context.Context, h string) (*Booking, error) {
	return q.bookingWhere(ctx, "manage_token_hash = ?", h)
}

func (q Q) bookingWhere(ctx context.Context, cond string, arg any) (*Booking, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var b Booking
	if err := db.Where(cond, arg).Take(&b).Error; err != nil {
		return nil, fmt.Errorf("read booking: %w", translate(err))
	}
	return &b, nil
}

// BookingFilter selects a mentor's bookings.
type BookingFilter struct {
	MentorID string
	MenteeID string
	From, To time.Time // zero = open; sessions that overlap [From, To)
	Status   string    // "" = any
	Limit    int       // 0 = no limit
}

// Bookings lists bookings matching f, by start.
func (q Q) Bookings(ctx context.Context, f BookingFilter) ([]Booking, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	tx := db.Model(&Booking{})
	if f.MentorID != "" {
		tx = tx.Where("mentor_id = ?", f.MentorID)
	}
	if f.MenteeID != "" {
		tx = tx.Where("mentee_id = ?", f.MenteeID)
	}
	if !f.From.IsZero() {
		tx = tx.Where("end_at > ?", UTCSecond(f.From))
	}
	if !f.To.IsZero() {
		tx = tx.Where("start_at < ?", UTCSecond(f.To))
	}
	if f.Status != "" {
		tx = tx.Where("status = ?", f.Status)
	}
	if f.Limit > 0 {
		tx = tx.Limit(f.Limit)
	}
	var bs []Booking
	if err := tx.Order("start_at, id").Find(&bs).Error; err != nil {
		return nil, fmt.Errorf("list bookings: %w", translate(err))
	}
	return bs, nil
}

// CountUpcoming counts a mentee's confirmed sessions with a mentor that
// have not ended at now.
func (q Q) CountUpcoming(ctx context.Context, mentorID, menteeID string, now time.Time) (int, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var n int64
	err := db.Model(&Booking{}).Where("mentor_id = ? AND mentee_id = ? AND status = ? AND end_at > ?",
		mentorID, menteeID, StatusConfirmed, UTCSecond(now)).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count upcoming sessions: %w", translate(err))
	}
	return int(n), nil
}

// LockBooking reads a booking for update inside a transaction.
func (q Q) LockBooking(ctx context.Context, id string) (*Booking, error) {
	if q.dialect != Postgres {
		return q.Booking(ctx, id)
	}
	db, cancel := q.with(ctx)
	defer cancel()
	var b Booking
	if err := db.Raw("SELECT * FROM bookings WHERE id = ? FOR UPDATE", id).Scan(&b).Error; err != nil {
		return nil, fmt.Errorf("lock booking: %w", translate(err))
	}
	if b.ID == "" {
		return nil, fmt.Errorf("lock booking: %w", ErrNotFound)
	}
	return &b, nil
}

// BookingByRoom finds the booking of a video room; the sessions of a
// weekly series share one room, and a confirmed one is preferred.
func (q Q) BookingByRoom(ctx context.Context, room string) (*Booking, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var b Booking
	err := db.Where("video_room = ?", room).Order("CASE WHEN status = 'confirmed' THEN 0 ELSE 1 END, start_at").Take(&b).Error
	if err != nil {
		return nil, fmt.Errorf("read booking: %w", translate(err))
	}
	return &b, nil
}

// SetBookingVideoURL stores a video link created after booking (a Google
// Meet link made by the write-back); a link already set is kept, and
// reports false.
func (q Q) SetBookingVideoURL(ctx context.Context, bookingID, videoURL string) (bool, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	res := db.Model(&Booking{}).Where("id = ? AND video_url = ''", bookingID).UpdateColumn("video_url", videoURL)
	if res.Error != nil {
		return false, fmt.Errorf("set video link of booking %s: %w", bookingID, translate(res.Error))
	}
	return res.RowsAffected == 1, nil
}

// HoldBookingMail records the event whose mails wait for the booking's
// Meet link; "" releases it.
func (q Q) HoldBookingMail(ctx context.Context, bookingID, event string) error {
	db, cancel := q.with(ctx)
	defer cancel()
	if err := db.Model(&Booking{}).Where("id = ?", bookingID).UpdateColumn("mail_held", event).Error; err != nil {
		return fmt.Errorf("hold mails of booking %s: %w", bookingID, translate(err))
	}
	return nil
}
