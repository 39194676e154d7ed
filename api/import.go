package api

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/mentoring"
)

// importColumns are the columns of a mentee import; mentor_email may be
// left out or empty (the mentee then goes to the mentor with the most free
// places).
var importColumns = []string{"name", "email", "timezone", "mentor_email"}

// importLine is a problem of one line, as the API and the page show it.
type importLine struct {
	Line    int    `json:"line"`
	Problem string `json:"problem"`
}

// importResponse is the answer of POST /mentees/import.
type importResponse struct {
	Created int          `json:"created"`
	Valid   int          `json:"valid"`
	DryRun  bool         `json:"dry_run"`
	Errors  []importLine `json:"errors"`
}

// parseImport reads an import file: the header names the columns (any
// order, any case); each later line is a row, or a problem of its line.
func parseImport(r io.Reader) ([]mentoring.ImportRow, []mentoring.ImportProblem, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, apperr.Field("body", "the file is empty; its first line must be %s", strings.Join(importColumns, ","))
	}
	if err != nil {
		return nil, nil, apperr.Field("body", "the first line is not CSV: %v", err)
	}
	index := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !slices.Contains(importColumns, h) {
			return nil, nil, apperr.Field("body", "unknown column %q: the columns are %s", h, strings.Join(importColumns, ","))
		}
		index[h] = i
	}
	for _, need := range importColumns[:3] {
		if _, ok := index[need]; !ok {
			return nil, nil, apperr.Field("body", "the column %q is missing: the first line must be %s", need, strings.Join(importColumns, ","))
		}
	}
	var rows []mentoring.ImportRow
	var problems []mentoring.ImportProblem
	for {
		line, _ := cr.FieldPos(0)
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var perr *csv.ParseError
		if errors.As(err, &perr) && !errors.Is(err, csv.ErrFieldCount) {
			problems = append(problems, mentoring.ImportProblem{Line: perr.StartLine, Err: apperr.Field("body", "this line is not valid CSV: %v", perr.Err)})
			if len(problems) > 200 {
				return rows, problems, nil
			}
			continue
		}
		if err != nil && !errors.Is(err, csv.ErrFieldCount) {
			return nil, nil, fmt.Errorf("read import: %w", err)
		}
		line, _ = cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		if len(rec) != len(header) {
			problems = append(problems, mentoring.ImportProblem{Line: line,
				Err: apperr.Field("body", "this line has %d fields, the header %d", len(rec), len(header))})
			continue
		}
		field := func(name string) string {
			if i, ok := index[name]; ok {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		rows = append(rows, mentoring.ImportRow{Line: line, Name: field("name"), Email: field("email"),
			Timezone: field("timezone"), MentorEmail: field("mentor_email")})
		if len(rows) > mentoring.MaxImportRows {
			return nil, nil, apperr.Field("body", "an import takes at most %d lines; split the file", mentoring.MaxImportRows)
		}
	}
	return rows, problems, nil
}

// runImport parses and imports (or checks) a file; lines that cannot be
// read make the import a dry run, so the other lines' problems show too.
func (s *Server) runImport(c echo.Context, r io.Reader, dryRun bool) (*importResponse, error) {
	rows, unreadable, err := parseImport(r)
	if err != nil {
		return nil, err
	}
	if c.QueryParam("notify") == "false" {
		for i := range rows {
			rows[i].Silent = true
		}
	}
	res, err := s.Mentoring.ImportMentees(c.Request().Context(), principal(c), rows, dryRun || len(unreadable) > 0)
	if err != nil {
		return nil, err
	}
	out := &importResponse{Created: res.Created, Valid: res.Valid, DryRun: dryRun, Errors: []importLine{}}
	lang := requestLanguage(c)
	for _, p := range append(unreadable, res.Problems...) {
		out.Errors = append(out.Errors, importLine{Line: p.Line, Problem: localizeProblem(problemFor(p.Err), p.Err, lang).Detail})
	}
	slices.SortStableFunc(out.Errors, func(a, b importLine) int { return a.Line - b.Line })
	return out, nil
}

func (s *Server) importMentees(c echo.Context) error {
	dryRun := false
	switch v := c.QueryParam("dry_run"); v {
	case "", "false":
	case "true":
		dryRun = true
	default:
		return apperr.Field("dry_run", "dry_run must be true or false")
	}
	if v := c.QueryParam("notify"); v != "" && v != "true" && v != "false" {
		return apperr.Field("notify", "notify must be true or false")
	}
	res, err := s.runImport(c, c.Request().Body, dryRun)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return apperr.Errorf(apperr.TooLarge, "request body over 1 MiB")
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}
