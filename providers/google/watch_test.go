package google

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

func TestWatchNotifyVerifyStop(t *testing.T) {
	fake := newFake(t)
	fake.AllowHTTPWebhooks(true)
	var mu sync.Mutex
	var got []string
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, state, ok := VerifyNotification(r, "secret-token")
		if !ok || NotificationChannelID(r) != id {
			http.Error(w, "bad token", http.StatusUnauthorized)
			return
		}
		mu.Lock()
		got = append(got, id+"/"+state)
		mu.Unlock()
	}))
	defer receiver.Close()
	client, _ := newTestClient(t, fake)
	ctx := context.Background()

	ch, err := client.Watch(ctx, fake.User, "chan-1", "secret-token", receiver.URL+"/hooks/google", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if ch.ID != "chan-1" || ch.ResourceID == "" || ch.Expiration.IsZero() {
		t.Fatalf("channel %+v", ch)
	}
	if n, err := fake.Notify(ctx, fake.User); err != nil || n != 1 {
		t.Fatalf("delivered %d: %v", n, err)
	}
	mu.Lock()
	received := append([]string(nil), got...)
	mu.Unlock()
	if len(received) != 1 || received[0] != "chan-1/exists" {
		t.Fatalf("received %v", received)
	}
	if err := client.StopChannel(ctx, ch.ID, ch.ResourceID); err != nil {
		t.Fatal(err)
	}
	if len(fake.Channels()) != 0 {
		t.Fatal("channel still open")
	}
	if err := client.StopChannel(ctx, ch.ID, ch.ResourceID); err != nil {
		t.Fatalf("stopping twice: %v", err)
	}
}

func TestWatchRefusesPlainHTTPLikeGoogle(t *testing.T) {
	fake := newFake(t)
	client, _ := newTestClient(t, fake)
	if _, err := client.Watch(context.Background(), fake.User, "c", "t", "http://example.com/hook", time.Hour); err == nil {
		t.Fatal("http address accepted")
	}
}

func TestVerifyNotificationRejectsWrongOrMissingToken(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/hooks/google", nil)
	r.Header.Set("X-Goog-Channel-Token", "guess")
	if _, _, ok := VerifyNotification(r, "secret"); ok {
		t.Error("wrong token accepted")
	}
	if _, _, ok := VerifyNotification(httptest.NewRequest(http.MethodPost, "/", nil), ""); ok {
		t.Error("empty expected token accepted")
	}
}
