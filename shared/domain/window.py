"""WhatsApp Business's 24-hour customer-service window.

On a WABA channel (Meta Cloud API, or a Wazzup channel whose transport is ``wapi``) free text is
allowed only within 24 hours of the customer's last message; outside it only templates go.
"""

from __future__ import annotations

from datetime import datetime, timedelta

WINDOW = timedelta(hours=24)


def free_text_refusal(last_inbound_at: datetime | None, now: datetime) -> str | None:
    """Why free text may not go now on a WABA channel, or None when the window is open."""
    if last_inbound_at is not None and now - last_inbound_at <= WINDOW:
        return None
    since = (f"the customer last wrote at {last_inbound_at.isoformat()}" if last_inbound_at
             else "the customer has not written yet")
    return (f"the 24-hour customer-service window of this WhatsApp Business channel is closed "
            f"({since}); only an approved template can be sent")
