"""In-memory fakes of the Protocols the services reach their store and bus through.

One module per service's ports; each fake implements the same Protocol as the real adapter.
"""
