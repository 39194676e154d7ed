package ical

import (
	"fmt"
	"slices"
	"strings"
	"time"

	// The decoder must resolve TZIDs the same way on every host, including
	// minimal containers without /usr/share/zoneinfo.
	_ "time/tzdata"
)

// zoneResolver turns TZID parameters into locations for one VCALENDAR.
// It lives for one DecodeBusy call: time.LoadLocation parses zone data on
// every call, so results are cached, and nothing is shared between calls.
type zoneResolver struct {
	text string
	// zones are the calendar's VTIMEZONEs, sorted by TZID; each is read
	// only when an event names it.
	zones  []zoneSpan
	cache  map[string]zoneResult
	shared *zoneShared
	m      *meter
}

// zoneShared is what the resolvers of one decoding share.
type zoneShared struct {
	// iana caches database lookups (nil: not a known name).
	iana map[string]*time.Location
	// lookups counts the distinct TZIDs resolved.
	lookups int
}

// maxZoneLookups bounds the distinct TZIDs one decoding resolves: each
// costs a look in the tz database or the building of a zone, and real
// calendars name a handful.
const maxZoneLookups = 100

var errTooManyZones = fmt.Errorf("more than %d distinct time zones in one calendar object", maxZoneLookups)

type zoneResult struct {
	loc *time.Location
	err error
}

func newZoneResolver(text string, zones []zoneSpan, shared *zoneShared, m *meter) *zoneResolver {
	return &zoneResolver{text: text, zones: zones, shared: shared, m: m}
}

// normalizeTZID strips the whitespace and stray quotes some producers
// leave around TZID values (TZID="Europe/Berlin" is already unquoted by
// the parser; TZID='Europe/Berlin' or a doubly quoted value is not).
func normalizeTZID(id string) string {
	return strings.Trim(strings.TrimSpace(id), `"' `)
}

// resolve finds the location named by a TZID, in this order:
//  1. the IANA database (embedded time/tzdata);
//  2. Windows names, mapped with CLDR's windowsZones table;
//  3. IANA names behind a vendor prefix, such as Thunderbird's
//     "/mozilla.org/20070129_1/Europe/Berlin";
//  4. the calendar's own VTIMEZONE of that name, for custom names such as
//     Outlook's "Customized Time Zone" or "(UTC+01:00) Amsterdam, Berlin…".
//
// The IANA rules win over a VTIMEZONE of the same name because they carry
// the zone's full history, where a VTIMEZONE usually holds only the
// current rule.
func (z *zoneResolver) resolve(tzid string) (*time.Location, error) {
	id := normalizeTZID(tzid)
	if r, ok := z.cache[id]; ok {
		return r.loc, r.err
	}
	if z.shared.lookups >= maxZoneLookups {
		return nil, errTooManyZones
	}
	z.shared.lookups++
	loc, err := z.lookup(id)
	if z.m.stops(err) != nil {
		return nil, err // not the zone's fault: decoding ends
	}
	if z.cache == nil {
		z.cache = map[string]zoneResult{}
	}
	z.cache[id] = zoneResult{loc, err}
	return loc, err
}

func (z *zoneResolver) lookup(id string) (*time.Location, error) {
	if loc := z.loadIANA(id); loc != nil {
		return loc, nil
	}
	if name, ok := windowsZoneNames[id]; ok {
		if loc := z.loadIANA(name); loc != nil {
			return loc, nil
		}
	}
	for i := 0; i < len(id); i++ {
		if suffix := id[i+1:]; id[i] == '/' && strings.Contains(suffix, "/") {
			if loc := z.loadIANA(suffix); loc != nil {
				return loc, nil
			}
		}
	}
	if i, ok := slices.BinarySearchFunc(z.zones, id, func(zs zoneSpan, id string) int { return strings.Compare(zs.tzid, id) }); ok {
		vtz, err := readVTimezone(z.text, z.zones[i])
		if err != nil {
			return nil, err
		}
		return locationFromVTimezone(id, vtz, z.m)
	}
	return nil, fmt.Errorf("unknown TZID %q and no VTIMEZONE for it", id)
}

// loadIANA loads a zone from the tz database, refusing names that
// time.LoadLocation would interpret specially ("" is UTC, "Local" the
// host's zone) or read from an arbitrary path.
func (z *zoneResolver) loadIANA(name string) *time.Location {
	if name == "" || name == "Local" || len(name) > 64 || strings.ContainsAny(name, `\ `) ||
		strings.HasPrefix(name, "/") || strings.Contains(name, "..") {
		return nil
	}
	if loc, ok := z.shared.iana[name]; ok {
		return loc
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		loc = nil
	}
	z.shared.iana[name] = loc
	return loc
}
