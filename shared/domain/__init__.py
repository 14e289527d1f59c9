"""The domain: types and rules of conversations, tasks, comments, scenarios and sends.

Pure: nothing here imports aiohttp, aio_pika or pymongo, and nothing here performs I/O. The
store (``shared/store``) persists these types; services decide with them.
"""
