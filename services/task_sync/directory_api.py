"""Routes of the directory API: contacts, users and their tokens, groups."""

from __future__ import annotations

from aiohttp import web

from services.task_sync.contacts_api import (
    create_contact,
    delete_contact,
    get_contact,
    import_contacts,
    list_contacts,
    replace_contact,
)
from services.task_sync.people_api import (
    create_group,
    create_user,
    delete_group,
    delete_user,
    get_group,
    get_user,
    issue_token,
    list_groups,
    list_users,
    replace_group,
    replace_user,
    revoke_token,
    set_password,
)


def routes(app: web.Application) -> None:
    app.router.add_get("/api/v1/contacts", list_contacts)
    app.router.add_post("/api/v1/contacts", create_contact)
    app.router.add_post("/api/v1/contacts/import", import_contacts)
    app.router.add_get("/api/v1/contacts/{contact_id}", get_contact)
    app.router.add_put("/api/v1/contacts/{contact_id}", replace_contact)
    app.router.add_delete("/api/v1/contacts/{contact_id}", delete_contact)
    app.router.add_get("/api/v1/users", list_users)
    app.router.add_post("/api/v1/users", create_user)
    app.router.add_get("/api/v1/users/{user_id}", get_user)
    app.router.add_put("/api/v1/users/{user_id}", replace_user)
    app.router.add_delete("/api/v1/users/{user_id}", delete_user)
    app.router.add_post("/api/v1/users/{user_id}/tokens", issue_token)
    app.router.add_delete("/api/v1/users/{user_id}/tokens", revoke_token)
    app.router.add_post("/api/v1/users/{user_id}/password", set_password)
    app.router.add_get("/api/v1/groups", list_groups)
    app.router.add_post("/api/v1/groups", create_group)
    app.router.add_get("/api/v1/groups/{group_id}", get_group)
    app.router.add_put("/api/v1/groups/{group_id}", replace_group)
    app.router.add_delete("/api/v1/groups/{group_id}", delete_group)
