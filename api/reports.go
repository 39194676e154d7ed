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

// sessionsReport streams GET /reports/sessions.csv batch by batch.
func (s *Server) sessionsReport(c echo.Context) error {
	var from, to time.Time
	var err error
	if v := c.QueryParam("from"); v != "" {
		if from, err = parseTime("from", v); err != nil {
			return err
		}
	}
	if v := c.QueryParam("to"); v != "" {
		if to, err = parseTime("to", v); err != nil {
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
	w := csv.NewWriter(res)
	if err := w.Write(reportHeader); err != nil {
		return nil // the client went away
	}
	record := make([]string, len(reportHeader))
	err = s.Mentoring.Report(ctx, principal(c), from, to, mentorID, func(r mentoring.ReportSession) error {
		record[0], record[1], record[2], record[3], record[4] = r.ID, r.MentorID, r.MentorName, r.MenteeID, r.MenteeName
		record[5], record[6] = r.Start.Format(time.RFC3339), r.End.Format(time.RFC3339)
		record[7], record[8], record[9], record[10] = strconv.Itoa(r.Minutes), r.Status, r.Outcome, r.VideoProvider
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
