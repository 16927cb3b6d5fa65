"""Pages of the main window that are not an area package of their own."""
