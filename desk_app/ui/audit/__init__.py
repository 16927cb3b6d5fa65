"""The Audit area: the audit trail, its filters and verification."""
