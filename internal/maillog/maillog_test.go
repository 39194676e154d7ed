package maillog_test

import (
	"context"
	"errors"
	"testing"

	"github.com/rendezvous/rendezvous/internal/maillog"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
	"github.com/rendezvous/rendezvous/providers/mail"
)

// countingSender counts what reaches the SMTP side, and fails on demand.
type countingSender struct {
	sent map[string]int
	fail error
}

func (c *countingSender) Send(_ context.Context, m mail.Message) error {
	if c.fail != nil {
		return c.fail
	}
	c.sent[m.MessageID]++
	return nil
}

func TestEachMessageIDSentOnce(t *testing.T) {
	storetest.EachStore(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		next := &countingSender{sent: map[string]int{}}
		once := maillog.New(next, s, nil)
		msg := mail.Message{MessageID: "confirmed.abc@example.org", Subject: "x"}

		next.fail = errors.New("451 try later")
		if err := once.Send(ctx, msg); err == nil {
			t.Fatal("a refused mail must fail, to be retried")
		}
		next.fail = nil
		for i := 0; i < 3; i++ { // the retry, then a rescued job twice
			if err := once.Send(ctx, msg); err != nil {
				t.Fatal(err)
			}
		}
		if n := next.sent[msg.MessageID]; n != 1 {
			t.Errorf("sent %d times, want once (the refused attempt must not count as sent)", n)
		}
		other := mail.Message{MessageID: "confirmed.def@example.org"}
		if err := once.Send(ctx, other); err != nil || next.sent[other.MessageID] != 1 {
			t.Errorf("another message: %v, sent %d", err, next.sent[other.MessageID])
		}
		anonymous := mail.Message{}
		once.Send(ctx, anonymous)
		once.Send(ctx, anonymous)
		if next.sent[""] != 2 {
			t.Errorf("a message without a Message-ID cannot be recognised and is sent each time: %d", next.sent[""])
		}
	})
}
