package booking

// SetReminderSweepBounds sets the sessions per transaction and the
// transactions per lead of the reminder sweep, until the returned restore.
func SetReminderSweepBounds(batch, rounds int) (restore func()) {
	b, r := reminderSweepBatch, reminderSweepRounds
	reminderSweepBatch, reminderSweepRounds = batch, rounds
	return func() { reminderSweepBatch, reminderSweepRounds = b, r }
}
