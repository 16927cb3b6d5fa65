"""Table models over the services (one generic paged model for every register)."""
