package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cespare/xxhash/v2"
	"github.com/labstack/echo/v4"

	"github.com/rendezvous/rendezvous/internal/booking"
)

// slotsCacheControl lets a visitor's browser reuse a slot answer for ten
// seconds, no more: a slot taken meanwhile disappears from a reloaded
// page within that, and booking it answers 409 in any case. private:
// the answer belongs to one link, shared caches keep none of it.
const slotsCacheControl = "private, max-age=10"

// writeSlots answers a slot query: JSON written by hand (this is the
// most requested answer; reflection over hundreds of slots was a sixth of
// its CPU), with a strong ETag of the body, and 304 to a client that
// already holds it.
func (s *Server) writeSlots(c echo.Context, res *booking.Slots) error {
	buf, _ := s.slotBuffers.Get().(*[]byte)
	if buf == nil {
		buf = new([]byte)
	}
	defer func() {
		// Keep buffers of ordinary answers only, so a year-long window
		// does not pin its buffer.
		if cap(*buf) <= 256<<10 {
			s.slotBuffers.Put(buf)
		}
	}()
	body := appendSlotsJSON((*buf)[:0], res)
	res.Release()
	*buf = body
	tag := `"` + strconv.FormatUint(xxhash.Sum64(body), 36) + `"`
	h := c.Response().Header()
	h.Set("ETag", tag)
	h.Set("Cache-Control", slotsCacheControl)
	if etagMatches(c.Request().Header.Get("If-None-Match"), tag) {
		return c.NoContent(http.StatusNotModified)
	}
	h.Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, body)
}

// etagMatches applies If-None-Match's weak comparison (RFC 9110 13.1.2)
// to a list of tags.
func etagMatches(header, tag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == tag {
			return true
		}
	}
	return false
}

// appendSlotsJSON writes {"timezone","stale","slots":[{"start","end"}…]}.
func appendSlotsJSON(b []byte, res *booking.Slots) []byte {
	zone, _ := json.Marshal(res.Timezone.String())
	b = append(b, `{"timezone":`...)
	b = append(b, zone...)
	b = append(b, `,"stale":`...)
	b = strconv.AppendBool(b, res.Stale)
	b = append(b, `,"slots":[`...)
	for i, s := range res.Slots {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"start":"`...)
		b = appendRFC3339(b, s.Start, res.Timezone)
		b = append(b, `","end":"`...)
		b = appendRFC3339(b, s.End, res.Timezone)
		b = append(b, `"}`...)
	}
	return append(b, "]}"...)
}

// appendRFC3339 writes t in loc as time.RFC3339 does, from the date's
// day number rather than through the general formatter (a third of the
// time of t.In(loc).AppendFormat). Years outside 0000-9999 take the
// general path.
func appendRFC3339(b []byte, t time.Time, loc *time.Location) []byte {
	local := t.In(loc)
	_, offset := local.Zone()
	secs := t.Unix() + int64(offset)
	days := secs / 86400
	if secs%86400 < 0 {
		days--
	}
	of := secs - days*86400
	y, m, d := civilDate(days)
	if y < 0 || y > 9999 {
		return local.AppendFormat(b, time.RFC3339)
	}
	b = append2(b, int(y/100))
	b = append2(b, int(y%100))
	b = append(b, '-')
	b = append2(b, m)
	b = append(b, '-')
	b = append2(b, d)
	b = append(b, 'T')
	b = append2(b, int(of/3600))
	b = append(b, ':')
	b = append2(b, int(of/60%60))
	b = append(b, ':')
	b = append2(b, int(of%60))
	if offset == 0 {
		return append(b, 'Z')
	}
	sign := byte('+')
	if offset < 0 {
		sign, offset = '-', -offset
	}
	b = append(b, sign)
	b = append2(b, offset/3600)
	b = append(b, ':')
	return append2(b, offset/60%60)
}

// civilDate turns days since 1970-01-01 into a proleptic Gregorian date
// (Howard Hinnant's days_from_civil, inverted).
func civilDate(days int64) (year int64, month, day int) {
	z := days + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day = int(doy - (153*mp+2)/5 + 1)
	month = int(mp + 3)
	if month > 12 {
		month -= 12
	}
	year = yoe + era*400
	if month <= 2 {
		year++
	}
	return year, month, day
}

// twoDigits holds "00" to "99".
const twoDigits = "00010203040506070809101112131415161718192021222324252627282930313233343536373839" +
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879" +
	"8081828384858687888990919293949596979899"

// append2 writes 0 <= v < 100 as two digits.
func append2(b []byte, v int) []byte { return append(b, twoDigits[2*v], twoDigits[2*v+1]) }
