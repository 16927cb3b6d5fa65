"""The Documents page: incoming, outgoing and internal documents (收发文)."""
