// Package statements is the monthly statement of each mentor, what a
// programme pays and follows up on: sessions completed, no-shows of
// either side, late cancellations, sessions still unreported, and the
// minutes of completed sessions. A month is counted in each mentor's own
// zone. Closing a month locks its reports and keeps its statement as it
// was, so that the CSV staff handed on never changes.
package statements

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/store"
)

// Row is one mentor's statement for a month.
type Row struct {
	MentorID     string `json:"mentor_id"`
	MentorName   string `json:"mentor_name"`
	Timezone     string `json:"timezone"`
	Completed    int    `json:"completed"`
	NoShow       int    `json:"no_show"`
	MentorNoShow int    `json:"mentor_no_show"`
	LateCancel   int    `json:"late_cancel"`
	Unreported   int    `json:"unreported"`
	Minutes      int    `json:"minutes"`
	// PeriodStart and PeriodEnd bound the month in the mentor's zone.
	PeriodStart time.Time `json:"period_start"`
	PeriodEnd   time.Time `json:"period_end"`
}

// Statement is a month's statement: every mentor with a session in it
// (or the one asked for), by name.
type Statement struct {
	Month    string     `json:"month"`
	Closed   bool       `json:"closed"`
	ClosedAt *time.Time `json:"closed_at"`
	Mentors  []Row      `json:"mentors"`
}

// Service computes, closes and renders statements.
type Service struct {
	store *store.Store
	now   func() time.Time
}

// Options configure the service.
type Options struct {
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// New builds the service.
func New(st *store.Store, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{store: st, now: opts.Now}
}

// ParseMonth reads "YYYY-MM".
func ParseMonth(month string) (time.Time, error) {
	t, err := time.Parse("2006-01", month)
	if err != nil || len(month) != 7 || t.Year() < 2000 || t.Year() > 2100 {
		return time.Time{}, apperr.Field("month", "%q is not a month like 2026-11", month)
	}
	return t, nil
}

// latestZoneLag is how long after a month ends in UTC it ends in the
// last zone to see it end (UTC−12).
const latestZoneLag = 12 * time.Hour

// ClosableFrom is when a month ("YYYY-MM", already parsed to its first
// day in UTC) is over in every zone and may be closed.
func ClosableFrom(start time.Time) time.Time {
	return start.AddDate(0, 1, 0).Add(latestZoneLag)
}

// scope checks who may read which mentor's statement: staff any or all,
// a mentor their own (an empty mentorID means theirs).
func scope(by access.Principal, mentorID string) (string, error) {
	if by.IsStaff() {
		return mentorID, nil
	}
	if by.Role == access.RoleMentor && by.MentorID != "" && (mentorID == "" || mentorID == by.MentorID) {
		return by.MentorID, nil
	}
	if by.Role == access.RoleMentor {
		return "", apperr.Errorf(apperr.Forbidden, "a mentor reads their own statement only")
	}
	return "", apperr.Errorf(apperr.Forbidden, "statements are for staff and mentors")
}

// Get is a month's statement (staff: every mentor, or mentorID; a mentor
// their own): as it was closed, or as it stands now.
func (s *Service) Get(ctx context.Context, by access.Principal, month, mentorID string) (*Statement, error) {
	start, err := ParseMonth(month)
	if err != nil {
		return nil, err
	}
	if mentorID, err = scope(by, mentorID); err != nil {
		return nil, err
	}
	var st *Statement
	kept, err := s.store.ClosedMonth(ctx, month)
	switch {
	case err == nil:
		if st, err = decodeKept(kept); err != nil {
			return nil, err
		}
		if mentorID != "" {
			st.Mentors = only(st.Mentors, mentorID)
		}
	case errors.Is(err, store.ErrNotFound):
		if st, err = s.compute(ctx, s.store.Q, start, mentorID); err != nil {
			return nil, err
		}
	default:
		return nil, err
	}
	if mentorID != "" && len(st.Mentors) == 0 {
		// A mentor without sessions that month still has a statement.
		m, err := s.store.Mentor(ctx, mentorID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, apperr.Errorf(apperr.NotFound, "no mentor %s", mentorID)
		}
		if err != nil {
			return nil, err
		}
		row := Row{MentorID: m.ID, MentorName: m.Name, Timezone: m.Timezone}
		row.PeriodStart, row.PeriodEnd = period(start, m.Timezone)
		st.Mentors = []Row{row}
	}
	return st, nil
}

func only(rows []Row, mentorID string) []Row {
	for _, r := range rows {
		if r.MentorID == mentorID {
			return []Row{r}
		}
	}
	return nil
}

// period is the month starting at start (UTC midnight of its first day)
// in zone, in UTC.
func period(start time.Time, zone string) (time.Time, time.Time) {
	return periodIn(start, zones{}.load(zone))
}

func periodIn(start time.Time, loc *time.Location) (time.Time, time.Time) {
	from := time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, loc)
	return from.UTC(), from.AddDate(0, 1, 0).UTC()
}

// zones loads each zone once per statement: loading one reads the zone
// database, and two thousand mentors share a few dozen zones.
type zones map[string]*time.Location

func (z zones) load(name string) *time.Location {
	if loc, ok := z[name]; ok {
		return loc
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		loc = time.UTC
	}
	z[name] = loc
	return loc
}

// compute counts the month as it stands.
func (s *Service) compute(ctx context.Context, q store.Q, start time.Time, mentorID string) (*Statement, error) {
	names, err := q.MentorZones(ctx)
	if err != nil {
		return nil, err
	}
	locs := zones{}
	windows := make([]store.MonthWindow, 0, len(names))
	for _, z := range names {
		from, to := periodIn(start, locs.load(z))
		windows = append(windows, store.MonthWindow{Timezone: z, Start: from, End: to})
	}
	rows, err := q.StatementRows(ctx, windows, s.now(), mentorID)
	if err != nil {
		return nil, err
	}
	st := &Statement{Month: start.Format("2006-01"), Mentors: make([]Row, 0, len(rows))}
	for _, r := range rows {
		row := Row{MentorID: r.MentorID, MentorName: r.MentorName, Timezone: r.Timezone, Completed: r.Completed, NoShow: r.NoShow,
			MentorNoShow: r.MentorNoShow, LateCancel: r.LateCancel, Unreported: r.Unreported, Minutes: r.Minutes}
		row.PeriodStart, row.PeriodEnd = periodIn(start, locs.load(r.Timezone))
		st.Mentors = append(st.Mentors, row)
	}
	return st, nil
}

// Close closes a month that is over in every zone (staff): its reports
// are locked from then on, and its statement and CSV are kept as they
// are now.
func (s *Service) Close(ctx context.Context, by access.Principal, month string) (*Statement, error) {
	if err := by.RequireStaff("closing a month"); err != nil {
		return nil, err
	}
	start, err := ParseMonth(month)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	if from := ClosableFrom(start); now.Before(from) {
		return nil, apperr.Errorf(apperr.Conflict, "%s is not over in every time zone yet; it can be closed from %s UTC",
			month, from.Format("2006-01-02 15:04"))
	}
	var st *Statement
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		// No report of the month commits while it closes.
		if err := tx.LockMonth(ctx, month, true); err != nil {
			return err
		}
		closed, err := tx.MonthClosed(ctx, month)
		if err != nil {
			return err
		}
		if closed {
			return apperr.Errorf(apperr.Conflict, "%s is already closed", month)
		}
		if st, err = s.compute(ctx, tx.Q, start, ""); err != nil {
			return err
		}
		st.Closed, st.ClosedAt = true, &now
		data, err := json.Marshal(st)
		if err != nil {
			return fmt.Errorf("encode the statement of %s: %w", month, err)
		}
		return tx.CloseMonth(ctx, &store.StatementMonth{Month: month, ClosedAt: now, ClosedBy: by.Name(),
			StatementJSON: string(data), StatementCSV: RenderCSV(st)})
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

func decodeKept(kept *store.StatementMonth) (*Statement, error) {
	var st Statement
	if err := json.Unmarshal([]byte(kept.StatementJSON), &st); err != nil {
		return nil, fmt.Errorf("read the kept statement of %s: %w", kept.Month, err)
	}
	return &st, nil
}

// CSV is a month's statement as CSV (see RenderCSV): a closed month's, to
// staff, is the very file kept at closing.
func (s *Service) CSV(ctx context.Context, by access.Principal, month, mentorID string) ([]byte, error) {
	if _, err := ParseMonth(month); err != nil {
		return nil, err
	}
	scoped, err := scope(by, mentorID)
	if err != nil {
		return nil, err
	}
	if scoped == "" {
		kept, err := s.store.ClosedMonth(ctx, month)
		if err == nil {
			return kept.StatementCSV, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	st, err := s.Get(ctx, by, month, mentorID)
	if err != nil {
		return nil, err
	}
	return RenderCSV(st), nil
}

// CSVHeader is the statement CSV's header.
var CSVHeader = []string{"month", "mentor_id", "mentor_name", "timezone", "period_start", "period_end", "period_start_utc", "period_end_utc",
	"completed", "no_show", "mentor_no_show", "late_cancel", "unreported", "minutes", "closed"}

// utf8BOM lets spreadsheet applications read the file as UTF-8 (names
// with accents).
const utf8BOM = "\uFEFF"

// RenderCSV writes a statement as CSV: UTF-8 with a byte-order mark, one
// row per mentor, the month's bounds in the mentor's zone and in UTC. The
// same statement always renders to the same bytes.
func RenderCSV(st *Statement) []byte {
	var buf bytes.Buffer
	buf.WriteString(utf8BOM)
	w := csv.NewWriter(&buf)
	w.Write(CSVHeader)
	locs := zones{}
	for _, r := range st.Mentors {
		loc := locs.load(r.Timezone)
		w.Write([]string{st.Month, r.MentorID, spreadsheetSafe(r.MentorName), r.Timezone,
			r.PeriodStart.In(loc).Format(time.RFC3339), r.PeriodEnd.In(loc).Format(time.RFC3339),
			r.PeriodStart.UTC().Format(time.RFC3339), r.PeriodEnd.UTC().Format(time.RFC3339),
			strconv.Itoa(r.Completed), strconv.Itoa(r.NoShow), strconv.Itoa(r.MentorNoShow), strconv.Itoa(r.LateCancel),
			strconv.Itoa(r.Unreported), strconv.Itoa(r.Minutes), strconv.FormatBool(st.Closed)})
	}
	w.Flush()
	return buf.Bytes()
}

// spreadsheetSafe keeps a name from being read as a formula by a
// spreadsheet application (a name starting with =, +, - or @).
func spreadsheetSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
