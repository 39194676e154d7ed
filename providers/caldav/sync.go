package caldav

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
)

// Prefixes of ChangeSet.State, which tells the next call how to sync.
const (
	stateSyncToken = "sync:" // RFC 6578 sync token follows
	stateCTag      = "ctag:" // calendarserver getctag follows
	stateETags     = "etag:" // neither: compare the ETag listing with known
	// stateListed prefixes the others with the Unix time of the last full
	// href/ETag listing: "listed=1767225600;sync:…".
	stateListed = "listed="
)

// DefaultFullListingEvery is how often Changes lists every href and ETag
// of a calendar instead of trusting its sync token or CTag.
const DefaultFullListingEvery = time.Hour

// syncState is a parsed ChangeSet.State.
type syncState struct {
	kind, value string // kind is one of the state prefixes, or ""
	listed      time.Time
}

func parseState(state string) syncState {
	var st syncState
	if rest, ok := strings.CutPrefix(state, stateListed); ok {
		stamp, tail, _ := strings.Cut(rest, ";")
		if sec, err := strconv.ParseInt(stamp, 10, 64); err == nil {
			st.listed = time.Unix(sec, 0)
		}
		state = tail
	}
	for _, kind := range []string{stateSyncToken, stateCTag, stateETags} {
		if value, ok := strings.CutPrefix(state, kind); ok {
			st.kind, st.value = kind, value
		}
	}
	return st
}

func (st syncState) String() string {
	if st.kind == "" {
		return ""
	}
	return stateListed + strconv.FormatInt(st.listed.Unix(), 10) + ";" + st.kind + st.value
}

// Changes returns what changed in the calendar calRef since state.
//
// An empty or unusable state, or a sync token the server no longer
// accepts, gives a full sync (Full=true): every object of the calendar,
// whatever the window, because a window-limited full sync would never learn
// of an unchanged event that later slides into the window; the core filters
// by time itself. Otherwise the cost is one request when nothing changed
// and two (report + multiget) when something did; three on servers with
// only a CTag (PROPFIND, listing, multiget).
//
// Sync tokens and CTags are not trusted forever: servers accept a token of
// a calendar that was deleted and re-created at the same URL and report no
// change (sabre), or report additions but no deletions (DAViCal, SOGo).
// So once per FullListingEvery the whole href/ETag listing is compared
// with known instead (sync-collection from an empty token, else a Depth 1
// PROPFIND): one request on an unchanged calendar, a multiget more for
// what differs, deletions found by absence.
//
// known maps the keys of the items the caller holds to their ETags. It may
// be nil; with it, objects whose ETag the caller already has (e.g. written
// by Put) are not fetched again, and servers without sync-collection are
// synced by ETag comparison instead of in full. window is currently unused
// by CalDAV (see above) and kept for the provider interface.
func (c *Conn) Changes(ctx context.Context, calRef, state string, window calendar.Interval, known map[string]string) (calendar.ChangeSet, error) {
	calURL, err := c.resolve(calRef)
	if err != nil {
		return calendar.ChangeSet{}, err
	}
	calURL = asCollection(calURL)
	st := parseState(state)
	if st.kind == "" || known == nil {
		return c.fullSync(ctx, calURL)
	}
	if c.now().Sub(st.listed) >= c.listEvery || st.kind == stateETags {
		return c.relist(ctx, calURL, st.kind, known)
	}
	var cs calendar.ChangeSet
	switch st.kind {
	case stateSyncToken:
		cs, err = c.syncSince(ctx, calURL, st.value, st.listed, known)
		if errors.Is(err, ErrSyncTokenInvalid) {
			return c.fullSync(ctx, calURL)
		}
	case stateCTag:
		cs, err = c.syncByCTag(ctx, calURL, st, known)
	}
	return cs, err
}

// member is one calendar object as listed by a report: its key and ETag.
type member struct{ key, etag string }

// fullSync lists every member (sync-collection with an empty token, else
// PROPFIND) and fetches them all with calendar-multiget.
func (c *Conn) fullSync(ctx context.Context, calURL *url.URL) (calendar.ChangeSet, error) {
	members, _, token, err := c.syncCollection(ctx, calURL, "")
	state := syncState{kind: stateSyncToken, value: token, listed: c.now()}
	if err != nil || token == "" {
		if !canListInstead(err) {
			return calendar.ChangeSet{}, err
		}
		// No sync-collection here: list by PROPFIND and remember the CTag.
		var ctag string
		members, ctag, err = c.listMembers(ctx, calURL)
		if err != nil {
			return calendar.ChangeSet{}, err
		}
		state = listingState(ctag, c.now())
	}
	items, _, err := c.fetch(ctx, calURL, members)
	if err != nil {
		return calendar.ChangeSet{}, err
	}
	return calendar.ChangeSet{Full: true, Upserts: items, State: state.String()}, nil
}

// listingState is the state after a PROPFIND listing.
func listingState(ctag string, now time.Time) syncState {
	if ctag != "" {
		return syncState{kind: stateCTag, value: ctag, listed: now}
	}
	return syncState{kind: stateETags, listed: now}
}

// relist is the periodic full listing: every member's href and ETag,
// compared with known, with a fresh sync token on servers that have them
// (kind is the state's: a server known to lack sync-collection is listed
// by PROPFIND at once).
func (c *Conn) relist(ctx context.Context, calURL *url.URL, kind string, known map[string]string) (calendar.ChangeSet, error) {
	var members []member
	var token string
	var err error
	if kind == stateSyncToken {
		members, _, token, err = c.syncCollection(ctx, calURL, "")
	}
	state := syncState{kind: stateSyncToken, value: token, listed: c.now()}
	if err != nil || token == "" {
		if !canListInstead(err) {
			return calendar.ChangeSet{}, err
		}
		var ctag string
		if members, ctag, err = c.listMembers(ctx, calURL); err != nil {
			return calendar.ChangeSet{}, err
		}
		state = listingState(ctag, c.now())
	}
	present := make(map[string]bool, len(members))
	for _, m := range members {
		present[m.key] = true
	}
	var deleted []string
	for key := range known {
		if !present[key] && c.inCollection(calURL, key) {
			deleted = append(deleted, key)
		}
	}
	sort.Strings(deleted)
	items, gone, err := c.fetch(ctx, calURL, unknownOnly(members, known))
	if err != nil {
		return calendar.ChangeSet{}, err
	}
	return calendar.ChangeSet{Upserts: stillUnknown(items, known), Deletes: append(deleted, gone...), State: state.String()}, nil
}

// syncSince runs sync-collection from token, then fetches what changed.
func (c *Conn) syncSince(ctx context.Context, calURL *url.URL, token string, listed time.Time, known map[string]string) (calendar.ChangeSet, error) {
	changed, deleted, next, err := c.syncCollection(ctx, calURL, token)
	if err != nil {
		var se *StatusError
		if errors.As(err, &se) && se.Code >= 500 {
			// Xandikos answers 500 to a token it does not know; a full
			// sync either recovers or fails with the server's real state.
			return calendar.ChangeSet{}, fmt.Errorf("%w: %w", ErrSyncTokenInvalid, err)
		}
		return calendar.ChangeSet{}, err
	}
	if next == "" {
		next = token
	}
	items, gone, err := c.fetch(ctx, calURL, unknownOnly(changed, known))
	if err != nil {
		return calendar.ChangeSet{}, err
	}
	state := syncState{kind: stateSyncToken, value: next, listed: listed}
	return calendar.ChangeSet{Upserts: stillUnknown(items, known), Deletes: append(deleted, gone...), State: state.String()}, nil
}

// syncByCTag costs one PROPFIND when the collection's CTag is unchanged,
// else lists the members and fetches those whose ETag differs.
func (c *Conn) syncByCTag(ctx context.Context, calURL *url.URL, st syncState, known map[string]string) (calendar.ChangeSet, error) {
	prop, _, err := c.propfindOne(ctx, calURL, "cs:getctag")
	if err != nil {
		return calendar.ChangeSet{}, err
	}
	if prop.CTag != "" && prop.CTag == st.value {
		return calendar.ChangeSet{State: st.String()}, nil
	}
	return c.relist(ctx, calURL, st.kind, known)
}

// syncCollection runs RFC 6578 sync-collection, repeating while the server
// truncates its answer (507 on the collection itself). It returns the
// changed members, the deleted keys and the new token. A rejected token is
// ErrSyncTokenInvalid.
func (c *Conn) syncCollection(ctx context.Context, calURL *url.URL, token string) (changed []member, deleted []string, next string, err error) {
	for range 100 {
		ms, here, err := c.davRequest(ctx, "REPORT", calURL, "0", syncCollectionBody(token))
		if err != nil {
			var se *StatusError
			if token != "" && errors.As(err, &se) && (se.Condition == "valid-sync-token" || se.Code == http.StatusGone ||
				se.Code == http.StatusConflict || (se.Code == http.StatusForbidden && se.Condition != "")) {
				return nil, nil, "", fmt.Errorf("%w: %w", ErrSyncTokenInvalid, err)
			}
			return nil, nil, "", err
		}
		truncated := false
		for _, r := range ms.Responses {
			u, err := here.Parse(strings.TrimSpace(r.Href))
			if err != nil {
				continue
			}
			if samePath(u, here) {
				truncated = statusCode(r.Status) == http.StatusInsufficientStorage
				continue
			}
			key := c.refOf(u)
			if code := statusCode(r.Status); code == http.StatusNotFound || code == http.StatusGone {
				deleted = append(deleted, key)
				continue
			}
			if strings.HasSuffix(u.Path, "/") {
				continue // a sub-collection, not an object
			}
			changed = append(changed, member{key: key, etag: r.props().ETag})
		}
		next = ms.SyncToken
		if !truncated || next == "" || next == token {
			return changed, deleted, next, nil
		}
		token = next
	}
	return changed, deleted, next, nil
}

// listMembers is a Depth: 1 PROPFIND for the members' ETags and the
// collection's CTag.
func (c *Conn) listMembers(ctx context.Context, calURL *url.URL) ([]member, string, error) {
	ms, here, err := c.davRequest(ctx, "PROPFIND", calURL, "1", propfindBody("d:resourcetype", "d:getetag", "cs:getctag"))
	if err != nil {
		return nil, "", fmt.Errorf("list %s: %w", calURL.Redacted(), err)
	}
	var members []member
	var ctag string
	for _, r := range ms.Responses {
		u, err := here.Parse(strings.TrimSpace(r.Href))
		if err != nil {
			continue
		}
		prop := r.props()
		if samePath(u, here) {
			ctag = prop.CTag
			continue
		}
		if prop.isCollection() || strings.HasSuffix(u.Path, "/") {
			continue
		}
		members = append(members, member{key: c.refOf(u), etag: prop.ETag})
	}
	return members, ctag, nil
}

// stillUnknown drops fetched items whose ETag the caller already holds:
// members listed without an ETag (Cyrus's sync-collection, sometimes)
// are fetched, and may turn out to be our own write.
func stillUnknown(items []calendar.Item, known map[string]string) []calendar.Item {
	out := items[:0]
	for _, it := range items {
		if etag, ok := known[it.Key]; ok && it.ETag != "" && sameETag(etag, it.ETag) {
			continue
		}
		out = append(out, it)
	}
	return out
}

// unknownOnly drops members whose ETag the caller already holds.
func unknownOnly(members []member, known map[string]string) []member {
	var out []member
	for _, m := range members {
		if etag, ok := known[m.key]; ok && m.etag != "" && sameETag(etag, m.etag) {
			continue
		}
		out = append(out, m)
	}
	return out
}

// inCollection reports whether key names an object directly in calURL, so
// that a known map spanning several calendars does not delete others.
func (c *Conn) inCollection(calURL *url.URL, key string) bool {
	u, err := c.resolve(key)
	if err != nil {
		return false
	}
	return strings.HasPrefix(c.refOf(u), c.refOf(calURL))
}

// sameETag compares ETags ignoring weakness and quoting differences between
// PROPFIND values and response headers.
func sameETag(a, b string) bool {
	norm := func(s string) string {
		return strings.Trim(strings.TrimPrefix(strings.TrimSpace(s), "W/"), `"`)
	}
	return norm(a) == norm(b)
}

// canListInstead reports whether a failed sync-collection may be replaced
// by a PROPFIND listing: the server answered, but not to this report.
// Transport failures, cancellation, refused addresses and rejected
// credentials would fail the listing too.
func canListInstead(err error) bool {
	if err == nil {
		return true
	}
	var se *StatusError
	if errors.Is(err, ErrAuth) {
		return false
	}
	return errors.As(err, &se) || errors.Is(err, ErrNotCalDAV)
}
