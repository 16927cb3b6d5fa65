"""One module per area: its permissions, role grants, settings and ``AREA`` entry.

``desk_app.domain.manifest`` lists the entries; see docs/architecture.md, "Adding an area".
"""
