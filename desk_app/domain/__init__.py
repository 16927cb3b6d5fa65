"""Pure-Python rules, value types and errors. No Qt, database or PDF imports here."""
