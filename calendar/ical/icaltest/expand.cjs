// Expands every event of an iCalendar file (argv[3]) with ical.js, the
// VTIMEZONEs of the file registered first, and prints the UTC starts of
// those not cancelled, one per line, sorted. argv[2] is ical.js itself.
const ICAL = require(process.argv[2]);
const fs = require("fs");
const comp = new ICAL.Component(ICAL.parse(fs.readFileSync(process.argv[3], "utf8")));
for (const tz of comp.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(tz);
}
const masters = new Map();
const overrides = [];
for (const v of comp.getAllSubcomponents("vevent")) {
  const ev = new ICAL.Event(v);
  if (ev.isRecurrenceException()) overrides.push(ev);
  else masters.set(ev.uid, ev);
}
for (const o of overrides) {
  const m = masters.get(o.uid);
  if (m) m.relateException(o);
  else masters.set(o.uid + "#" + o.recurrenceId.toString(), o);
}
const out = [];
for (const ev of masters.values()) {
  const cancelled = (e) => String(e.component.getFirstPropertyValue("status") || "").toUpperCase() === "CANCELLED";
  if (!ev.isRecurring()) {
    if (!cancelled(ev)) out.push(ev.startDate.toJSDate().toISOString());
    continue;
  }
  if (cancelled(ev)) continue;
  const it = ev.iterator();
  for (let next = it.next(), n = 0; next && n < 1000; next = it.next(), n++) {
    const d = ev.getOccurrenceDetails(next);
    if (cancelled(d.item)) continue;
    out.push(d.startDate.toJSDate().toISOString());
  }
}
for (const s of out.sort()) console.log(s.replace(".000Z", "Z"));
