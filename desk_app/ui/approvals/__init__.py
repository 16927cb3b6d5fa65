"""The Approvals page: access requests, retention and destruction, personnel grants."""
