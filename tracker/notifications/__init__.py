"""Event notifications: what happened, told to the people it concerns, in the app and by email.

`kinds` (pure: the kinds, their labels and audiences), `mentions` (pure: `@name`),
`events` (what the services call, in the move's transaction), `delivery` (the
email, sent by the task after commit, from the same kind of outbox row as a reminder).
"""
