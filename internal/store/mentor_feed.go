package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ncruces/go-sqlite3"
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

// Merge adds the sessions counted in o.
func (v *FeedVersion) Merge(o FeedVersion) {
	v.Count += o.Count
	v.Sequences += o.Sequences
	if o.Modified.After(v.Modified) {
		v.Modified = o.Modified
	}
}

// Add counts one session into v, as MentorFeedVersion would.
func (v *FeedVersion) Add(sequence int, updated time.Time) {
	v.Count++
	v.Sequences += sequence
	if updated.After(v.Modified) {
		v.Modified = updated.UTC()
	}
}

// feedWhere selects a feed's sessions. A session lasts at most a day
// (bookings_at_most_a_day), so one that ends after since starts after the
// day before: that lower bound keeps the index range to the window rather
// than the mentor's whole history.
const feedWhere = `b.mentor_id = ? AND b.start_at >= ? AND b.end_at >= ?
	AND (b.status = 'confirmed' OR (b.cancelled_at IS NOT NULL AND b.cancelled_at >= ?))`

func feedArgs(mentorID string, since, cancelledSince time.Time) []any {
	return []any{mentorID, UTCSecond(since.Add(-24 * time.Hour)), UTCSecond(since), UTCSecond(cancelledSince)}
}

// MentorFeedVersion counts the feed's sessions and finds the latest change.
func (q Q) MentorFeedVersion(ctx context.Context, mentorID string, since, cancelledSince time.Time) (FeedVersion, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	rows, err := db.Raw(`SELECT count(*), coalesce(sum(b.sequence), 0), max(b.updated_at) FROM bookings b WHERE `+feedWhere,
		feedArgs(mentorID, since, cancelledSince)...).Rows()
	if err != nil {
		return FeedVersion{}, fmt.Errorf("feed version of mentor %s: %w", mentorID, translate(err))
	}
	defer rows.Close()
	var v FeedVersion
	var modified nullTime // SQLite's max() returns the stored text
	if rows.Next() {
		if err := rows.Scan(&v.Count, &v.Sequences, &modified); err != nil {
			return FeedVersion{}, fmt.Errorf("feed version of mentor %s: %w", mentorID, err)
		}
	}
	v.Modified = modified.Time
	return v, rows.Err()
}

// feedBatch is how many sessions MentorFeedSessions hands over at once.
const feedBatch = 256

// MentorFeedSessions reads the sessions of a mentor's feed, those that end
// after since, live or cancelled after cancelledSince, by start, and hands
// them to fn in batches that fn may keep. Only the columns a feed shows
// are read, scanned by hand: a feed may hold thousands.
func (s *Store) MentorFeedSessions(ctx context.Context, mentorID string, since, cancelledSince time.Time, fn func([]FeedSession) error) error {
	var err error
	if s.dialect == SQLite {
		err = s.sqliteFeedSessions(ctx, mentorID, since, cancelledSince, fn)
	} else {
		err = s.postgresFeedSessions(ctx, mentorID, since, cancelledSince, fn)
	}
	if err != nil {
		return fmt.Errorf("feed sessions of mentor %s: %w", mentorID, err)
	}
	return nil
}

func (q Q) feedSessionsQuery() string {
	t := q.feedTime
	return `SELECT b.id, b.uid, ` + t("b.start_at") + `, ` + t("b.end_at") + `, b.status, b.sequence, b.note,
			b.video_provider, b.video_room, b.video_url, ` + t("b.created_at") + `, ` + t("b.updated_at") + `,
			e.name, e.email
		FROM bookings b JOIN mentees e ON e.id = b.mentee_id
		WHERE ` + feedWhere + ` AND b.series_id = '' ORDER BY b.start_at`
}

// MentorFeedSeries lists the weekly series with a session in a mentor's
// feed (MentorFeedSessions leaves their sessions out: a series is one
// event with its exceptions).
func (q Q) MentorFeedSeries(ctx context.Context, mentorID string, since, cancelledSince time.Time) ([]string, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var ids []string
	err := db.Raw(`SELECT DISTINCT b.series_id FROM bookings b WHERE `+feedWhere+` AND b.series_id <> '' ORDER BY b.series_id`,
		feedArgs(mentorID, since, cancelledSince)...).Scan(&ids).Error
	if err != nil {
		return nil, fmt.Errorf("feed series of mentor %s: %w", mentorID, translate(err))
	}
	return ids, nil
}

// feedBatcher collects rows into batches of feedBatch for fn.
type feedBatcher struct {
	mentorID string
	batch    []FeedSession
	fn       func([]FeedSession) error
}

// next is the row to fill in.
func (f *feedBatcher) next() *FeedSession {
	if f.batch == nil {
		f.batch = make([]FeedSession, 0, feedBatch)
	}
	f.batch = append(f.batch, FeedSession{})
	r := &f.batch[len(f.batch)-1]
	r.MentorID = f.mentorID
	return r
}

// flush hands over a full batch, or with all set, whatever is left.
func (f *feedBatcher) flush(all bool) error {
	if len(f.batch) == 0 || (!all && len(f.batch) < feedBatch) {
		return nil
	}
	b := f.batch
	f.batch = nil
	return f.fn(b)
}

// withDriverConn runs fn on a pooled connection's driver connection, under
// the per-query timeout.
func (s *Store) withDriverConn(ctx context.Context, fn func(ctx context.Context, driverConn any) error) error {
	ctx, cancel := context.WithTimeout(ctx, queryTimeout)
	defer cancel()
	conn, err := s.sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(driverConn any) error { return fn(ctx, driverConn) })
}

// postgresFeedSessions runs the query through pgx's own interface: at
// thousands of rows, database/sql's conversion of every value to an
// interface and back costs as much as the query.
func (s *Store) postgresFeedSessions(ctx context.Context, mentorID string, since, cancelledSince time.Time, fn func([]FeedSession) error) error {
	return s.withDriverConn(ctx, func(ctx context.Context, driverConn any) error {
		raw, ok := driverConn.(interface{ Conn() *pgx.Conn })
		if !ok {
			return fmt.Errorf("unexpected PostgreSQL driver connection %T", driverConn)
		}
		rows, err := raw.Conn().Query(ctx, numberedPlaceholders(s.feedSessionsQuery()), feedArgs(mentorID, since, cancelledSince)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		out := feedBatcher{mentorID: mentorID, fn: fn}
		for rows.Next() {
			f := out.next()
			b := &f.Booking
			if err := rows.Scan(&b.ID, &b.UID, &b.StartAt, &b.EndAt, &b.Status, &b.Sequence, &b.Note,
				&b.VideoProvider, &b.VideoRoom, &b.VideoURL, &b.CreatedAt, &b.UpdatedAt,
				&f.MenteeName, &f.MenteeEmail); err != nil {
				return err
			}
			b.StartAt, b.EndAt, b.CreatedAt, b.UpdatedAt = b.StartAt.UTC(), b.EndAt.UTC(), b.CreatedAt.UTC(), b.UpdatedAt.UTC()
			if err := out.flush(false); err != nil {
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return out.flush(true)
	})
}

// numberedPlaceholders turns "?" into PostgreSQL's "$1", "$2"… for
// queries sent past gorm, which otherwise does it.
func numberedPlaceholders(query string) string {
	var sb strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			sb.WriteString("$" + strconv.Itoa(n))
			continue
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// sqliteFeedSessions runs the same query through SQLite's own statement
// API: at thousands of rows, database/sql's conversion of every value to
// an interface and back costs as much as SQLite's work.
func (s *Store) sqliteFeedSessions(ctx context.Context, mentorID string, since, cancelledSince time.Time, fn func([]FeedSession) error) error {
	return s.withDriverConn(ctx, func(ctx context.Context, driverConn any) error {
		raw, ok := driverConn.(interface{ Raw() *sqlite3.Conn })
		if !ok {
			return fmt.Errorf("unexpected SQLite driver connection %T", driverConn)
		}
		c := raw.Raw()
		defer c.SetInterrupt(c.SetInterrupt(ctx))
		stmt, _, err := c.Prepare(s.feedSessionsQuery())
		if err != nil {
			return err
		}
		defer stmt.Close()
		// Times bind as the text they are stored as.
		for i, arg := range feedArgs(mentorID, since, cancelledSince) {
			if t, ok := arg.(time.Time); ok {
				arg = t.UTC().Format(time.DateTime)
			}
			if err := stmt.BindText(i+1, arg.(string)); err != nil {
				return err
			}
		}
		out := feedBatcher{mentorID: mentorID, fn: fn}
		for stmt.Step() {
			f := out.next()
			b := &f.Booking
			b.ID, b.UID = stmt.ColumnText(0), stmt.ColumnText(1)
			b.StartAt, b.EndAt = unixUTC(stmt.ColumnInt64(2)), unixUTC(stmt.ColumnInt64(3))
			b.Status, b.Sequence, b.Note = stmt.ColumnText(4), stmt.ColumnInt(5), stmt.ColumnText(6)
			b.VideoProvider, b.VideoRoom, b.VideoURL = stmt.ColumnText(7), stmt.ColumnText(8), stmt.ColumnText(9)
			b.CreatedAt, b.UpdatedAt = unixUTC(stmt.ColumnInt64(10)), unixUTC(stmt.ColumnInt64(11))
			f.MenteeName, f.MenteeEmail = stmt.ColumnText(12), stmt.ColumnText(13)
			if err := out.flush(false); err != nil {
				return err
			}
		}
		if err := stmt.Err(); err != nil {
			return err
		}
		return out.flush(true)
	})
}

func unixUTC(secs int64) time.Time { return time.Unix(secs, 0).UTC() }

// feedTime selects a time column of the feed: as Unix seconds on SQLite,
// computed by SQLite from the stored text, an integer that needs no
// parsing; PostgreSQL sends binary times.
func (q Q) feedTime(col string) string {
	if q.dialect == SQLite {
		return "unixepoch(" + col + ")"
	}
	return col
}
