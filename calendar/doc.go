// Package calendar is Rendezvous' scheduling domain: intervals, weekly
// hours, slot computation, and the translation between iCalendar and busy
// time, invites and feeds. It performs no I/O: every function is pure so that
// it can be table-tested, fuzzed and benchmarked in isolation.
package calendar
