"""First Form (Первая Форма, 1Forma) as the task system: request building and answer parsing
(pure), the HTTP client, and the adapter behind task-sync's ``TaskSystem`` port.

Which routes and shapes are confirmed and which are our best guess is in
``../shared/reference/first-form-api.md``; every guess is configuration (README, "First Form as
the task system").
"""
