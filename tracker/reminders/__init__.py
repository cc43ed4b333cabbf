"""Deadline reminders, escalations and the daily digest, one module per concern.

Pure rules, no Django (read and tested on their own):
- `working_days`: working days in England and Wales, the sweep's hour in London.
- `policy`: the numbers of the rules (`Policy`).
- `kinds`: the kinds of reminder, their labels, and `recipients_for(kind)`.
- `schedule`: what is due for one action or finding as of a day.

On the database:
- `facts`: loads the schedule's facts, in a fixed number of queries.
- `outbox`: the sweep that records what is due (each reminder once).
- `delivery`: claims, checks, sends and marks one person's digest.
- `digest`: the digest as an email.
- `plan`: what a person will be reminded of (their page) and a sweep's preview.

`tracker.tasks` queues and runs them under Celery; nothing here imports it.
"""
