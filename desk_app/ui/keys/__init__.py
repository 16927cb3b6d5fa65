"""Keys & equipment page (R10): who holds which key, phone or radio now."""
