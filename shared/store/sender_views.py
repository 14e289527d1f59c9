"""outbound-sender's views of collections task-sync owns: stored files and channel states.

Thin adapters over ``files`` and ``channels`` that implement outbound-sender's ports
(``FileStore``, ``ChannelStateLookup``), so the service holds no database handle.
"""

from __future__ import annotations

from shared.store import channels, files
from shared.store.mongo import Database


class MongoFiles:
    """Files in GridFS: read for uploads, described and stored for inbound media."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def read(self, file_id: str) -> bytes | None:
        return await files.read(self._db, file_id)

    async def describe(self, file_id: str) -> files.StoredFile | None:
        return await files.describe(self._db, file_id)

    async def put(self, file_id: str, file_name: str, mime_type: str,
                  data: bytes) -> files.StoredFile:
        return await files.put(self._db, file_id, file_name, mime_type, data)


class MongoChannelStates:
    """Channel states as recorded from the gateways' channel webhooks and lists."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def state(self, channel_id: str) -> str | None:
        doc = await channels.get(self._db, channel_id)
        return str(doc["state"]) if doc and "state" in doc else None
