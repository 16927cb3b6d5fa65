"""Keys and equipment, shifts and the rota, and the shift handover (R8–R12)."""
