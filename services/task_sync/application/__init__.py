"""task-sync's application layer: one handler per use case, called by the HTTP API and by the
bus alike. Handlers check before they act, reach the world only through the ports
(``ports.py``) and raise ``errors.py``'s errors, which each edge translates."""
