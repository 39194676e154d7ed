package store

import (
	"context"
	"fmt"
	"time"
)

// FeedSession is a booking with its mentee, as a mentor's feed lists it.
type FeedSession struct {
	Booking
	MenteeName  string
	MenteeEmail string
}

// FeedVersion summarises what a feed's content depends on, so that an
// unchanged feed is answered 304 without reading the sessions.
type FeedVersion struct {
	Count     int
	Sequences int // sum of SEQUENCE: every change raises it within a second
	Modified  time.Time
}

const feedWhere = `b.mentor_id = ? AND b.end_at >= ?
	AND (b.status = 'confirmed' OR (b.cancelled_at IS NOT NULL AND b.cancelled_at >= ?))`

// MentorFeedVersion counts the feed's sessions and finds the latest change.
func (q Q) MentorFeedVersion(ctx context.Context, mentorID string, since, cancelledSince time.Time) (FeedVersion, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	rows, err := db.Raw(`SELECT count(*), coalesce(sum(b.sequence), 0), max(b.updated_at) FROM bookings b WHERE `+feedWhere,
		mentorID, UTCSecond(since), UTCSecond(cancelledSince)).Rows()
	if err != nil {
		return FeedVersion{}, fmt.Errorf("feed version of mentor %s: %w", mentorID, translate(err))
	}
	defer rows.Close()
	var v FeedVersion
	var modified any
	if rows.Next() {
		if err := rows.Scan(&v.Count, &v.Sequences, &modified); err != nil {
			return FeedVersion{}, fmt.Errorf("feed version of mentor %s: %w", mentorID, err)
		}
	}
	if v.Modified, err = aggregateTime(modified); err != nil {
		return FeedVersion{}, fmt.Errorf("feed version of mentor %s: %w", mentorID, err)
	}
	return v, rows.Err()
}

// MentorFeedSessions lists the sessions of a mentor's feed: those that end
// after since, live or cancelled after cancelledSince. Only the columns a
// feed shows are read, scanned by hand: a feed may hold thousands.
func (q Q) MentorFeedSessions(ctx context.Context, mentorID string, since, cancelledSince time.Time) ([]FeedSession, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	t := q.timeText
	rows, err := db.Raw(`SELECT b.id, b.uid, b.mentor_id, b.mentee_id, `+t("b.start_at")+`, `+t("b.end_at")+`, b.status, b.sequence, b.note,
			b.video_provider, b.video_room, b.video_url, `+t("b.created_at")+`, `+t("b.updated_at")+`,
			e.name, e.email
		FROM bookings b JOIN mentees e ON e.id = b.mentee_id
		WHERE `+feedWhere+` ORDER BY b.start_at`,
		mentorID, UTCSecond(since), UTCSecond(cancelledSince)).Rows()
	if err != nil {
		return nil, fmt.Errorf("feed sessions of mentor %s: %w", mentorID, translate(err))
	}
	defer rows.Close()
	var out []FeedSession
	for rows.Next() {
		var f FeedSession
		b := &f.Booking
		if err := rows.Scan(&b.ID, &b.UID, &b.MentorID, &b.MenteeID, storedTime{&b.StartAt}, storedTime{&b.EndAt}, &b.Status, &b.Sequence, &b.Note,
			&b.VideoProvider, &b.VideoRoom, &b.VideoURL, storedTime{&b.CreatedAt}, storedTime{&b.UpdatedAt},
			&f.MenteeName, &f.MenteeEmail); err != nil {
			return nil, fmt.Errorf("feed sessions of mentor %s: %w", mentorID, err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("feed sessions of mentor %s: %w", mentorID, translate(err))
	}
	return out, nil
}

// aggregateTime reads max() of a time column: PostgreSQL keeps the type,
// SQLite's aggregates return the stored text.
func aggregateTime(v any) (time.Time, error) {
	switch t := v.(type) {
	case nil:
		return time.Time{}, nil
	case time.Time:
		return t.UTC(), nil
	case string:
		return parseStoredTime(t)
	case []byte:
		return parseStoredTime(string(t))
	}
	return time.Time{}, fmt.Errorf("unexpected time value %T", v)
}

func parseStoredTime(s string) (time.Time, error) {
	for _, layout := range []string{time.DateTime, "2006-01-02 15:04:05.999999999", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unreadable stored time %q", s)
}

// timeText selects a time column as stored text on SQLite, where the
// driver's own decoding tries several layouts per value; storedTime then
// parses the one layout we write. PostgreSQL sends binary times.
func (q Q) timeText(col string) string {
	if q.dialect == SQLite {
		return "CAST(" + col + " AS TEXT)"
	}
	return col
}

// storedTime scans a time column given as a time or as stored text.
type storedTime struct{ t *time.Time }

func (s storedTime) Scan(v any) error {
	t, err := aggregateTime(v)
	*s.t = t
	return err
}
