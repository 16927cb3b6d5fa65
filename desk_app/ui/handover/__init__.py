"""Handover page (R8–R12): the current shift handover, its history, the rota and swaps."""
