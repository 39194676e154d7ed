package main

import (
	"testing"

	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// TestMentorValidationNamesTheField: every refused mentor setting is a 422
// invalid_input naming the offending field.
func TestMentorValidationNamesTheField(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		_, admin := startForMentees(t, db, nil)
		m := createMentor(t, admin, nil)
		hours := func(ranges ...[3]string) []map[string]string {
			var out []map[string]string
			for _, r := range ranges {
				out = append(out, map[string]string{"weekday": r[0], "start": r[1], "end": r[2]})
			}
			return out
		}
		cases := []struct {
			name, method, path string
			body               map[string]any
			field              string
		}{
			{"unknown zone", "POST", "/api/v1/mentors", map[string]any{"timezone": "Mars/Olympus"}, "timezone"},
			{"server zone", "PATCH", "/api/v1/mentors/" + m.ID, map[string]any{"timezone": "Local"}, "timezone"},
			{"hours ending before they start", "PUT", "/api/v1/mentors/" + m.ID + "/availability",
				map[string]any{"weekly_hours": hours([3]string{"monday", "12:00", "09:00"})}, "weekly_hours[0].end"},
			{"overlapping hours", "PUT", "/api/v1/mentors/" + m.ID + "/availability",
				map[string]any{"weekly_hours": hours([3]string{"monday", "09:00", "12:00"}, [3]string{"tuesday", "09:00", "12:00"}, [3]string{"monday", "11:00", "13:00"})}, "weekly_hours[2]"},
			{"unknown weekday", "PUT", "/api/v1/mentors/" + m.ID + "/availability",
				map[string]any{"weekly_hours": hours([3]string{"someday", "09:00", "12:00"})}, "weekly_hours[0].weekday"},
			{"session length off the allowed values", "PATCH", "/api/v1/mentors/" + m.ID, map[string]any{"session_minutes": 20}, "session_minutes"},
			{"negative caseload", "PATCH", "/api/v1/mentors/" + m.ID, map[string]any{"max_mentees": -1}, "max_mentees"},
			{"negative buffer", "PATCH", "/api/v1/mentors/" + m.ID, map[string]any{"buffer_minutes": -5}, "buffer_minutes"},
			{"negative notice", "PATCH", "/api/v1/mentors/" + m.ID, map[string]any{"min_notice_minutes": -1}, "min_notice_minutes"},
			{"zero daily cap", "PATCH", "/api/v1/mentors/" + m.ID, map[string]any{"max_sessions_per_day": 0}, "max_sessions_per_day"},
			{"malformed override date", "PUT", "/api/v1/mentors/" + m.ID + "/availability",
				map[string]any{"weekly_hours": []any{}, "overrides": []map[string]any{{"date": "2026-13-40", "hours": []any{}}}}, "overrides[0].date"},
			{"override hours backwards", "PUT", "/api/v1/mentors/" + m.ID + "/availability",
				map[string]any{"overrides": []map[string]any{{"date": "2026-12-24", "hours": []map[string]string{{"start": "10:00", "end": "09:00"}}}}}, "overrides[0].hours[0].end"},
		}
		for _, c := range cases {
			body := c.body
			if c.method == "POST" {
				body = map[string]any{"name": "N", "email": "n@example.org", "timezone": "UTC", "max_mentees": 1}
				for k, v := range c.body {
					body[k] = v
				}
			}
			var p struct {
				Code  string `json:"code"`
				Field string `json:"field"`
			}
			if st := admin.do(c.method, c.path, body, &p); st != 422 || p.Code != "invalid_input" || p.Field != c.field {
				t.Errorf("%s: %d %+v, want 422 naming %s", c.name, st, p, c.field)
			}
		}
	})
}
