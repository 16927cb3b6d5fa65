"""Demo data: a believable office to try the program on (``desk-app demo``, ``make run``).

Its own package above the services (it uses them and the store directly to write history in
bulk), so that nothing in the services depends on demo data.
"""
