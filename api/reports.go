package api

import (
	"encoding/csv"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rendezvous/rendezvous/internal/mentoring"
)

// reportHeader is the contract's header of sessions.csv.
var reportHeader = []string{"session_id", "mentor_id", "mentor_name", "mentee_id", "mentee_name",
	"start", "end", "minutes", "status", "outcome", "video_provider"}

// spreadsheetColumns are added beside the contract's with
// ?format=spreadsheet: each party's zone and local start (what the
// session was on their clock), and a cancellation's reason and author.
var spreadsheetColumns = []string{"mentor_timezone", "mentor_local_start", "mentee_timezone", "mentee_local_start",
	"cancel_reason", "cancelled_by"}

// utf8BOM makes spreadsheet applications read the file as UTF-8 (without
// it, Excel shows "MÃ¼ller" for "Müller").
const utf8BOM = "\ufeff"

// zoneCache loads each zone of a report once (time.LoadLocation reads
// the zone file on every call).
type zoneCache map[string]*time.Location

// localStart is a start on a zone's clock, as a spreadsheet reads a plain
// date and time ("2026-12-07 14:30"); empty for an unknown zone.
func (z zoneCache) localStart(t time.Time, zone string) string {
	loc, ok := z[zone]
	if !ok {
		var err error
		if loc, err = time.LoadLocation(zone); err != nil || zone == "" {
			loc = nil
		}
		z[zone] = loc
	}
	if loc == nil {
		return ""
	}
	return t.In(loc).Format("2006-01-02 15:04")
}

// reportTime reads ?from= or ?to= as RFC 3339 or as a plain date (UTC
// midnight; a plain "to" date includes that whole day).
func reportTime(field, v string) (time.Time, error) {
	if d, err := time.Parse(time.DateOnly, v); err == nil {
		if field == "to" {
			d = d.AddDate(0, 0, 1)
		}
		return d, nil
	}
	return parseTime(field, v)
}

// sessionsReport streams GET /reports/sessions.csv batch by batch.
func (s *Server) sessionsReport(c echo.Context) error {
	var from, to time.Time
	var err error
	if v := c.QueryParam("from"); v != "" {
		if from, err = reportTime("from", v); err != nil {
			return err
		}
	}
	if v := c.QueryParam("to"); v != "" {
		if to, err = reportTime("to", v); err != nil {
			return err
		}
	}
	ctx, mentorID := c.Request().Context(), c.QueryParam("mentor_id")
	if from, to, err = s.Mentoring.ReportWindow(ctx, principal(c), from, to, mentorID); err != nil {
		return err
	}
	res := c.Response()
	res.Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	res.Header().Set(echo.HeaderContentDisposition, `attachment; filename="sessions-`+from.UTC().Format("20060102")+
		"-"+to.UTC().Format("20060102")+`.csv"`)
	res.WriteHeader(http.StatusOK)
	header := reportHeader
	spreadsheet := c.QueryParam("format") == "spreadsheet"
	if spreadsheet {
		header = append(append([]string(nil), reportHeader...), spreadsheetColumns...)
		if _, err := res.Write([]byte(utf8BOM)); err != nil {
			return nil // the client went away
		}
	}
	w := csv.NewWriter(res)
	if err := w.Write(header); err != nil {
		return nil // the client went away
	}
	record, zones := make([]string, len(header)), zoneCache{}
	err = s.Mentoring.Report(ctx, principal(c), from, to, mentorID, func(r mentoring.ReportSession) error {
		record[0], record[1], record[2], record[3], record[4] = r.ID, r.MentorID, r.MentorName, r.MenteeID, r.MenteeName
		record[5], record[6] = r.Start.Format(time.RFC3339), r.End.Format(time.RFC3339)
		record[7], record[8], record[9], record[10] = strconv.Itoa(r.Minutes), r.Status, r.Outcome, r.VideoProvider
		if spreadsheet {
			record[11], record[12] = r.MentorTimezone, zones.localStart(r.Start, r.MentorTimezone)
			record[13], record[14] = r.MenteeTimezone, zones.localStart(r.Start, r.MenteeTimezone)
			record[15], record[16] = r.CancelReason, r.CancelledBy
		}
		return w.Write(record)
	}, func() error {
		w.Flush()
		res.Flush()
		return w.Error()
	})
	if err != nil {
		// The status is sent: all that is left is to stop and say why.
		s.logger.Error("sessions report interrupted", slog.String("request_id", requestID(c)), slog.Any("error", err))
	}
	return nil
}
