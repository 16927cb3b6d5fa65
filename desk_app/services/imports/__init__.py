"""Importing an office's existing ledgers from Excel and CSV files (issue 16)."""
