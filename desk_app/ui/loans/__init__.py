"""The Loans area: open, overdue and past loans; lend, return, renew, correct, reminders."""
