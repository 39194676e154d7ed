package mentoring

import (
	"context"
	"errors"
	"fmt"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/validate"
)

// MaxImportRows bounds one import: it runs in one transaction.
const MaxImportRows = 2000

// ImportRow is one line of a mentee import.
type ImportRow struct {
	Line                               int
	Name, Email, Timezone, MentorEmail string
	// Silent sends this mentee no welcome mail ("notify=false").
	Silent bool
}

// ImportProblem is why one line cannot be imported.
type ImportProblem struct {
	Line int
	Err  error
}

// ImportResult is what an import did, or would do (dry run).
type ImportResult struct {
	DryRun bool
	// Created is the number of mentees created: 0 on a dry run and
	// whenever a line has a problem.
	Created int
	// Valid is the number of lines that would be created.
	Valid    int
	Problems []ImportProblem
}

// errRollback ends a dry run's transaction without keeping anything.
var errRollback = errors.New("dry run: roll back")

// ImportMentees adds mentees in one transaction (staff only): each line to
// the mentor with its mentor_email, or without one to the mentor with the
// most free places, by the rules of CreateMentee, in file order (so a
// mentor filled by earlier lines refuses later ones). Every line is
// checked and every problem reported with its line; with any problem, or
// on a dry run, the transaction is rolled back and nothing is created.
func (s *Service) ImportMentees(ctx context.Context, by access.Principal, rows []ImportRow, dryRun bool) (*ImportResult, error) {
	if err := by.RequireStaff("importing mentees"); err != nil {
		return nil, err
	}
	if len(rows) > MaxImportRows {
		return nil, apperr.Field("body", "an import takes at most %d lines; split the file", MaxImportRows)
	}
	res := &ImportResult{DryRun: dryRun}
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		seen := map[string]int{} // e-mail key → first line
		for _, r := range rows {
			problem, err := s.importRow(ctx, tx, r, seen)
			var stop lineError
			if errors.As(err, &stop) {
				res.Problems = append(res.Problems, ImportProblem{Line: r.Line, Err: stop.error})
				return errRollback
			}
			if err != nil {
				return err
			}
			if problem != nil {
				res.Problems = append(res.Problems, ImportProblem{Line: r.Line, Err: problem})
				continue
			}
			res.Valid++
		}
		if dryRun || len(res.Problems) > 0 {
			return errRollback
		}
		res.Created = res.Valid
		return nil
	})
	if err != nil && !errors.Is(err, errRollback) {
		return nil, fmt.Errorf("import mentees: %w", err)
	}
	return res, nil
}

// importRow adds one line in tx; problem is why the line cannot be
// imported, err a failure of the import itself. No statement is left to
// fail on a line's problem (it is checked first), so the transaction stays
// usable for the lines after it.
func (s *Service) importRow(ctx context.Context, tx *store.Tx, r ImportRow, seen map[string]int) (problem, err error) {
	in, problem := CheckMentee(MenteeInput{Name: r.Name, Email: r.Email, Timezone: r.Timezone})
	if problem != nil {
		return problem, nil
	}
	key := validate.EmailKey(in.Email)
	if first, dup := seen[key]; dup {
		return apperr.Field("email", "%s is already on line %d", in.Email, first), nil
	}
	seen[key] = r.Line
	mentorID := ""
	if r.MentorEmail != "" {
		addr, problem := validate.Email("mentor_email", r.MentorEmail)
		if problem != nil {
			return problem, nil
		}
		mentors, err := tx.MentorsByEmail(ctx, addr)
		if err != nil {
			return nil, err
		}
		switch len(mentors) {
		case 0:
			return apperr.Field("mentor_email", "no mentor has the address %s", addr), nil
		case 1:
			mentorID = mentors[0].ID
		default:
			return apperr.Field("mentor_email", "%d mentors have the address %s; add this mentee from their page", len(mentors), addr), nil
		}
	}
	mentor, problem := s.lockAssignee(ctx, tx, mentorID)
	if problem != nil {
		if apperr.CodeOf(problem) == apperr.Internal {
			return nil, problem
		}
		return problem, nil
	}
	if _, err := tx.ActiveMenteeByEmail(ctx, mentor.ID, key); err == nil {
		return apperr.Field("email", "%s is already an active mentee of this mentor", in.Email), nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	active, err := tx.CountActiveMentees(ctx, mentor.ID)
	if err != nil {
		return nil, err
	}
	if active >= mentor.MaxMentees {
		return apperr.Errorf(apperr.CaseloadFull, "%s already follows %d mentees, their maximum", mentor.Name, mentor.MaxMentees), nil
	}
	created, _, err := s.AddMenteeTx(ctx, tx, mentor, in)
	if err != nil {
		if code := apperr.CodeOf(err); code != apperr.Internal {
			// A rule the checks above did not foresee: the line's problem,
			// but the transaction may be unusable now, so stop here.
			return nil, lineError{err}
		}
		return nil, err
	}
	// Enqueued in the import's transaction: a dry run or an import with
	// a problem rolls its welcomes back with its mentees.
	return nil, s.welcomeTx(ctx, tx, r.Silent, created, mentor)
}

// lineError is a line's problem that ended the import's transaction.
type lineError struct{ error }

func (e lineError) Unwrap() error { return e.error }
