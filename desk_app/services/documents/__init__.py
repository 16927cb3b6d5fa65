"""The document register (收发文): incoming, outgoing and internal documents (docs/documents.md)."""
