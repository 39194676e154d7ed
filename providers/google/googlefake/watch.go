package googlefake

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	calendarapi "google.golang.org/api/calendar/v3"
)

// maxChannelTTL is the fake's cap and default for events channels.
const maxChannelTTL = 7 * 24 * time.Hour

type channel struct {
	calendarapi.Channel
	cal      string
	messages int
}

type webhookPolicy struct{ allowHTTP bool }

// AllowHTTPWebhooks lets channels use http:// addresses (Google insists
// on https), for tests whose receiver is a plain httptest server.
func (s *Server) AllowHTTPWebhooks(allow bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhooks.allowHTTP = allow
}

// watch is events.watch: opens a web_hook channel on the calendar.
func (s *Server) watch(w http.ResponseWriter, r *http.Request, cal *calState) {
	var req calendarapi.Channel
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil {
		writeAPIError(w, http.StatusBadRequest, "parseError", "Parse Error")
		return
	}
	addr, err := url.Parse(req.Address)
	switch {
	case req.Id == "":
		writeAPIError(w, http.StatusBadRequest, "required", "Required")
		return
	case req.Type != "web_hook" && req.Type != "webhook":
		writeAPIError(w, http.StatusBadRequest, "invalid", "Invalid channel type.")
		return
	case err != nil || !addr.IsAbs() || (addr.Scheme != "https" && !(s.webhooks.allowHTTP && addr.Scheme == "http")):
		writeAPIErrorItem(w, http.StatusBadRequest, errorItem{Domain: "push", Reason: "webhookUrlNotHttps", Message: "WebHook callback must be HTTPS: " + req.Address})
		return
	case s.channels[req.Id] != nil:
		writeAPIErrorItem(w, http.StatusBadRequest, errorItem{Domain: "push", Reason: "channelIdNotUnique", Message: "Channel id not unique"})
		return
	}
	ttl := maxChannelTTL
	if v, err := strconv.ParseInt(req.Params["ttl"], 10, 64); err == nil && v > 0 {
		ttl = min(time.Duration(v)*time.Second, maxChannelTTL)
	}
	ch := &channel{cal: cal.ID, Channel: calendarapi.Channel{
		Kind: "api#channel", Id: req.Id, Token: req.Token, Address: req.Address, Type: req.Type,
		ResourceId:  "fake-resource-" + url.PathEscape(cal.ID),
		ResourceUri: s.URL + "/calendar/v3/calendars/" + url.PathEscape(cal.ID) + "/events?alt=json",
		Expiration:  time.Now().Add(ttl).UnixMilli(),
	}}
	s.channels[req.Id] = ch
	resp := ch.Channel
	resp.Address, resp.Type = "", ""
	writeJSON(w, http.StatusOK, resp)
}

// stopChannel is channels.stop.
func (s *Server) stopChannel(w http.ResponseWriter, r *http.Request, _ *calState) {
	var req calendarapi.Channel
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil {
		writeAPIError(w, http.StatusBadRequest, "parseError", "Parse Error")
		return
	}
	ch := s.channels[req.Id]
	if ch == nil || ch.ResourceId != req.ResourceId {
		writeAPIError(w, http.StatusNotFound, "notFound", fmt.Sprintf("Channel '%s' not found for project 'fake'", req.Id))
		return
	}
	delete(s.channels, req.Id)
	w.WriteHeader(http.StatusNoContent)
}

// Channels returns the open channels.
func (s *Server) Channels() []calendarapi.Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []calendarapi.Channel
	for _, ch := range s.channels {
		out = append(out, ch.Channel)
	}
	return out
}

// Notify sends a change notification ("exists") to every open, unexpired
// channel on calID, with Google's X-Goog-* headers, and returns how many
// were delivered with a 2xx answer.
func (s *Server) Notify(ctx context.Context, calID string) (int, error) {
	type delivery struct {
		ch  calendarapi.Channel
		num int
	}
	s.mu.Lock()
	var todo []delivery
	for _, ch := range s.channels {
		if ch.cal == calID && time.Now().UnixMilli() < ch.Expiration {
			ch.messages++
			todo = append(todo, delivery{ch.Channel, ch.messages})
		}
	}
	s.mu.Unlock()
	delivered := 0
	for _, d := range todo {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.ch.Address, nil)
		if err != nil {
			return delivered, fmt.Errorf("googlefake: notify %s: %w", d.ch.Id, err)
		}
		h := req.Header
		h.Set("X-Goog-Channel-ID", d.ch.Id)
		if d.ch.Token != "" {
			h.Set("X-Goog-Channel-Token", d.ch.Token)
		}
		h.Set("X-Goog-Channel-Expiration", time.UnixMilli(d.ch.Expiration).UTC().Format(http.TimeFormat))
		h.Set("X-Goog-Resource-ID", d.ch.ResourceId)
		h.Set("X-Goog-Resource-URI", d.ch.ResourceUri)
		h.Set("X-Goog-Resource-State", "exists")
		h.Set("X-Goog-Message-Number", strconv.Itoa(d.num))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return delivered, fmt.Errorf("googlefake: notify %s: %w", d.ch.Id, err)
		}
		resp.Body.Close()
		if resp.StatusCode/100 == 2 {
			delivered++
		}
	}
	return delivered, nil
}
