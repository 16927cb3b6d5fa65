"""Use cases. One public method = one transaction = one audit entry (when it changes data).

Every method takes the acting ``Actor`` first and checks its permission itself, so the
GUI and the CLI get the same protection.
"""
