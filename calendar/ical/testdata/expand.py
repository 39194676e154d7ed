#!/usr/bin/python3
"""Independent busy-time expansion for cross-checking calendar.DecodeBusy.

Usage: expand.py FILE.ics FROM TO ZONE
FROM and TO are RFC 3339 instants; ZONE is the IANA zone in which floating
times and all-day dates are read. Prints a JSON list of [start, end] pairs
(UTC, RFC 3339, sorted) for every blocking VEVENT occurrence that overlaps
[FROM, TO), with the same rules as DecodeBusy: TRANSP:TRANSPARENT,
STATUS:CANCELLED and X-MICROSOFT-CDO-BUSYSTATUS:FREE do not block, and
zero-length occurrences are dropped.

Uses Debian's python3-icalendar and python3-recurring-ical-events: run it
with /usr/bin/python3, not a pyenv interpreter.
"""
import datetime as dt
import json
import sys
import zoneinfo

import icalendar
import recurring_ical_events

UTC = dt.timezone.utc


def parse_instant(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def to_utc(value, zone):
    """Dates are midnight in zone, naive (floating) times are in zone."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            value = value.replace(tzinfo=zone)
        return value.astimezone(UTC)
    return dt.datetime(value.year, value.month, value.day, tzinfo=zone).astimezone(UTC)


def blocking(event):
    def prop(name):
        return str(event.get(name, "")).strip().upper()
    return (prop("STATUS") != "CANCELLED" and prop("TRANSP") != "TRANSPARENT"
            and prop("X-MICROSOFT-CDO-BUSYSTATUS") != "FREE")


def busy(path, start, end, zone):
    with open(path, "rb") as f:
        calendars = icalendar.Calendar.from_ical(f.read(), multiple=True)
    # Ask for a day more on each side (all-day and floating events are
    # matched in local time by the library), then filter exactly.
    lo = (start - dt.timedelta(days=2)).astimezone(zone)
    hi = (end + dt.timedelta(days=2)).astimezone(zone)
    out = []
    for cal in calendars:
        for event in recurring_ical_events.of(cal).between(lo, hi):
            if not blocking(event):
                continue
            s = to_utc(event["DTSTART"].dt, zone)
            e = to_utc(event["DTEND"].dt, zone) if "DTEND" in event else s
            if e > s and s < end and e > start:
                out.append((s, e))
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    return [[s.strftime(fmt), e.strftime(fmt)] for s, e in sorted(out)]


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    path, start, end, zone = sys.argv[1:]
    print(json.dumps(busy(path, parse_instant(start), parse_instant(end), zoneinfo.ZoneInfo(zone))))


if __name__ == "__main__":
    main()
