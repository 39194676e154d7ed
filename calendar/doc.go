// Package calendar is Rendezvous' scheduling domain: intervals, weekly
// hours, slot computation, and the shapes that calendar providers and the
// core exchange. It performs no I/O: every function is pure so that it can
// be table-tested, fuzzed and benchmarked in isolation. The iCalendar codec
// (decoding busy time, encoding invites, objects and feeds) is its
// subpackage ical.
package calendar
