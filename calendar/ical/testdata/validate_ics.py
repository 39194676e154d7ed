#!/usr/bin/python3
"""Validate an .ics file written by Rendezvous with Debian's python3-icalendar.

Usage: validate_ics.py KIND FILE
KIND is one of: request, cancel, object, feed.
Prints "OK" and exits 0, or prints the first problem found and exits 1.
Run it with /usr/bin/python3: the pyenv python on PATH cannot see Debian's
packages.
"""
import sys

import icalendar


def fail(reason):
    print(reason)
    sys.exit(1)


def check_lines(raw):
    if not raw.endswith(b"\r\n"):
        fail("file does not end with CRLF")
    for n, line in enumerate(raw[:-2].split(b"\r\n"), 1):
        if b"\n" in line or b"\r" in line:
            fail("line %d has a bare CR or LF" % n)
        if len(line) > 75:
            fail("line %d is %d octets long" % (n, len(line)))
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            fail("line %d is not valid UTF-8 on its own (split sequence?)" % n)


def require(component, names, where):
    for name in names:
        if component.get(name) is None:
            fail("%s lacks %s" % (where, name))


def check_event(event, kind, n):
    where = "VEVENT %d" % n
    require(event, ["UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "SUMMARY", "STATUS"], where)
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    if start.tzinfo is None or start.utcoffset().total_seconds() != 0:
        fail("%s DTSTART is not in UTC" % where)
    if not end > start:
        fail("%s DTEND is not after DTSTART" % where)
    status = str(event.get("STATUS"))
    if kind == "cancel" and status != "CANCELLED":
        fail("%s STATUS is %s in a CANCEL" % (where, status))
    if kind == "request" and status != "CONFIRMED":
        fail("%s STATUS is %s in a REQUEST" % (where, status))
    if kind in ("request", "cancel"):
        require(event, ["ORGANIZER", "ATTENDEE"], where)
        attendees = event.get("ATTENDEE")
        if not isinstance(attendees, list) or len(attendees) < 2:
            fail("%s should list the mentee and the mentor as ATTENDEEs" % where)
        partstats = sorted(str(a.params.get("PARTSTAT")) for a in attendees)
        if partstats != ["ACCEPTED", "NEEDS-ACTION"]:
            fail("%s attendee PARTSTATs are %s" % (where, partstats))
        if not any(a.params.get("RSVP") == "TRUE" for a in attendees):
            fail("%s no attendee is asked to RSVP" % where)
        if not str(event.get("ORGANIZER")).startswith("mailto:"):
            fail("%s ORGANIZER is not a mailto: address" % where)
    alarms = [c for c in event.subcomponents if c.name == "VALARM"]
    if kind == "request" and len(alarms) != 1:
        fail("%s has %d VALARMs, want 1" % (where, len(alarms)))
    if kind in ("cancel", "feed") and alarms:
        fail("%s has a VALARM" % where)
    for alarm in alarms:
        require(alarm, ["ACTION", "TRIGGER", "DESCRIPTION"], where + " VALARM")


def main():
    if len(sys.argv) != 3:
        fail(__doc__)
    kind, path = sys.argv[1], sys.argv[2]
    with open(path, "rb") as f:
        raw = f.read()
    check_lines(raw)
    try:
        cal = icalendar.Calendar.from_ical(raw)
    except Exception as e:  # icalendar raises ValueError and others
        fail("icalendar cannot parse the file: %s" % e)
    require(cal, ["VERSION", "PRODID"], "VCALENDAR")
    method = cal.get("METHOD")
    want_method = {"request": "REQUEST", "cancel": "CANCEL"}.get(kind)
    if (str(method) if method is not None else None) != want_method:
        fail("METHOD is %s, want %s" % (method, want_method))
    if kind == "feed":
        require(cal, ["X-WR-CALNAME", "REFRESH-INTERVAL", "X-PUBLISHED-TTL"], "feed")
    events = [c for c in cal.subcomponents if c.name == "VEVENT"]
    if kind != "feed" and len(events) != 1:
        fail("%d VEVENTs, want 1" % len(events))
    if not events:
        fail("no VEVENT")
    for n, event in enumerate(events):
        check_event(event, kind, n)
    print("OK")


if __name__ == "__main__":
    main()
