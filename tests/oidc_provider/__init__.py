"""A real OpenID Connect provider for the sign-in tests: django-oidc-provider in a
Django project of its own (its settings, its SQLite file), run in a process of its
own by tests/test_oidc.py. Not part of the app."""
