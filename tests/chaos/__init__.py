"""The chaos suite: the whole system under load while things fail, checked chat by chat.

``make chaos`` (``python -m tests.chaos``) runs every scenario; ``make test`` runs the short
version (``--quick``, about two minutes) through ``test_chaos.py``. See the README,
"Reliability", for what is checked and the figures.
"""
