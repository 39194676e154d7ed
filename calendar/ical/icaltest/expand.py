# Expands every event of an iCalendar file (argv[1]) between argv[2] and
# argv[3] with recurring-ical-events and prints the UTC starts of those
# not cancelled, one per line, sorted.
import sys
import datetime
import icalendar
import recurring_ical_events

cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
lo = datetime.datetime.fromisoformat(sys.argv[2])
hi = datetime.datetime.fromisoformat(sys.argv[3])
out = []
for ev in recurring_ical_events.of(cal).between(lo, hi):
    if str(ev.get("STATUS", "")).upper() == "CANCELLED":
        continue
    start = ev["DTSTART"].dt
    out.append(start.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
for s in sorted(out):
    print(s)
