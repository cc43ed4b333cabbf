"""The pages, one module per thing a page is about; `tracker.urls` names them.

Views are thin: they read what the visibility door lets the person see
(`tracker.selectors`), ask `tracker.permissions` what to offer, and make every
change through `tracker.services`. Workflow moves are defined once, in `moves`.
"""
