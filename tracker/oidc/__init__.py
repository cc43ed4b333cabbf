"""Signing in with the force's own accounts: OpenID Connect through mozilla-django-oidc.

`config` reads the provider's settings and discovers its endpoints, `backend` matches
a verified email to an onboarded account (never making one), `views` are the sign-in,
callback, sign-out and refusal pages.
"""
