package maillog_test

import (
	"context"
	"errors"
	"fmt"
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

// TestRefusedForGoodNotOfferedAgain: a mail the server refused for good is
// recorded, and a later attempt fails as permanent without asking the
// server; a mail refused for now is offered again.
func TestRefusedForGoodNotOfferedAgain(t *testing.T) {
	storetest.EachStore(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		next := &countingSender{sent: map[string]int{}}
		once := maillog.New(next, s, nil)
		offered := 0
		counting := maillog.New(senderFunc(func(ctx context.Context, m mail.Message) error {
			offered++
			return next.Send(ctx, m)
		}), s, nil)
		refused := mail.Message{MessageID: "confirmed.refused@example.org"}
		next.fail = fmt.Errorf("550 no such mailbox: %w", mail.ErrRefused)
		for i := range 3 {
			if err := counting.Send(ctx, refused); !mail.IsPermanent(err) {
				t.Fatalf("attempt %d: want a permanent failure, got %v", i+1, err)
			}
		}
		if offered != 1 {
			t.Errorf("a mail refused for good was offered %d times, want once", offered)
		}
		next.fail = nil
		if err := once.Send(ctx, refused); !mail.IsRefused(err) || !errors.Is(err, maillog.ErrRefusedBefore) || next.sent[refused.MessageID] != 0 {
			t.Errorf("once refused for good it stays refused: %v, sent %d", err, next.sent[refused.MessageID])
		}

		// A 5xx to the account (a wrong password) is permanent, but the
		// mail goes out once the configuration is fixed.
		offered = 0
		account := mail.Message{MessageID: "confirmed.account@example.org"}
		next.fail = fmt.Errorf("535 authentication failed: %w", mail.ErrPermanent)
		if err := counting.Send(ctx, account); !mail.IsPermanent(err) || mail.IsRefused(err) {
			t.Fatalf("want a permanent failure that is not a refusal, got %v", err)
		}
		next.fail = nil
		if err := counting.Send(ctx, account); err != nil || offered != 2 || next.sent[account.MessageID] != 1 {
			t.Errorf("after the account's failure is fixed the mail goes out: %v, offered %d, sent %d", err, offered, next.sent[account.MessageID])
		}

		offered = 0
		later := mail.Message{MessageID: "confirmed.later@example.org"}
		next.fail = errors.New("451 try later")
		counting.Send(ctx, later)
		next.fail = nil
		if err := counting.Send(ctx, later); err != nil || offered != 2 || next.sent[later.MessageID] != 1 {
			t.Errorf("a mail refused for now is offered again: %v, offered %d, sent %d", err, offered, next.sent[later.MessageID])
		}
	})
}

type senderFunc func(context.Context, mail.Message) error

func (f senderFunc) Send(ctx context.Context, m mail.Message) error { return f(ctx, m) }
