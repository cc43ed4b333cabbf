"""The REST API under /api/v1/: the same doors and the same services as the pages.

Every queryset comes from `tracker.selectors`, every write is a service of
`tracker.services`, and who may make a move is asked of `tracker.permissions`
through the pages' own `Move` definitions: the API adds no rule of its own.
"""
