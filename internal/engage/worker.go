package engage

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/internal/jobs"
	"github.com/rendezvous/rendezvous/internal/links"
	"github.com/rendezvous/rendezvous/internal/notify"
	"github.com/rendezvous/rendezvous/providers/mail"
)

// RegisterWorkers adds the mail worker to the job engine.
func (s *Service) RegisterWorkers(w *river.Workers) {
	river.AddWorker(w, &mailWorker{svc: s})
}

// mailWorker sends one welcome or nudge. A temporary failure is retried
// with River's backoff; a permanent refusal, an expired sign-in link or a
// link sealed under another key ends the job.
type mailWorker struct {
	river.WorkerDefaults[jobs.PeopleMailArgs]
	svc *Service
}

func (w *mailWorker) Work(ctx context.Context, job *river.Job[jobs.PeopleMailArgs]) error {
	s, a := w.svc, job.Args
	who := []any{slog.String("mail", a.Mail), slog.String("mentor_id", a.MentorID), slog.String("mentee_id", a.MenteeID)}
	if a.LinkExpires != nil && !s.Now().Before(*a.LinkExpires) {
		s.Logger.Warn("welcome sign-in link expired before it could be mailed", who...)
		return river.JobCancel(fmt.Errorf("%s mail to %s: its link expired unsent", a.Mail, a.MentorID))
	}
	p, err := s.compose(a)
	if err != nil {
		return river.JobCancel(fmt.Errorf("%s mail (mentor %s, mentee %s): %w", a.Mail, a.MentorID, a.MenteeID, err))
	}
	msg, err := notify.BuildPeopleMessage(p, s.From)
	if err != nil {
		return river.JobCancel(err)
	}
	if err := s.Mailer.Send(ctx, msg); err != nil {
		who = append(who, slog.Int("attempt", job.Attempt), slog.Any("error", err))
		if mail.IsPermanent(err) {
			s.Logger.Error("mail refused permanently; giving up", who...)
			return river.JobCancel(fmt.Errorf("send %s mail: %w", a.Mail, err))
		}
		s.Logger.Warn("mail delivery failed; will retry", who...)
		return fmt.Errorf("send %s mail: %w", a.Mail, err)
	}
	return nil
}

// compose turns a job's snapshot back into the mail it announces.
func (s *Service) compose(a jobs.PeopleMailArgs) (notify.PeopleMail, error) {
	p := notify.PeopleMail{
		Kind: notify.PeopleKind(a.Mail), Event: a.Event, PreviousMentor: a.PreviousMentor,
		To:    notify.Recipient{Person: calendar.Person{Name: a.ToName, Email: a.ToEmail}, Lang: a.Language, Location: zone(a.Timezone)},
		Other: calendar.Person{Name: a.OtherName, Email: a.OtherEmail},
	}
	p.To.IsMentor = a.Mail == mailMentorWelcome || a.Mail == mailNudgeMentor
	if a.OtherTimezone != "" {
		p.OtherLocation = zone(a.OtherTimezone)
	}
	if a.LinkSealed != "" {
		link, err := s.box.OpenString(a.LinkSealed)
		if err != nil {
			return p, fmt.Errorf("open the link: %w", err)
		}
		p.Link = link
	}
	if a.LinkExpires != nil {
		p.LinkExpires, p.SigninPage = *a.LinkExpires, s.links.URL(links.MentorSignin)
	}
	if a.LastSession != nil {
		p.LastSession = *a.LastSession
	}
	if a.Mail == mailNudgeMentee || a.Mail == mailNudgeMentor {
		p.Interval = s.ExpectedInterval
	}
	return p, nil
}

// zone is a stored zone name's location (UTC when it no longer loads).
func zone(name string) *time.Location {
	if loc, err := time.LoadLocation(name); err == nil {
		return loc
	}
	return time.UTC
}
