import { useEffect, useState } from "preact/hooks";
import { api } from "../api/client";
import type { GroupRef, Me, User } from "../api/types";

/** The groups whose people a person works with: null for an admin (everyone), else their own. */
export function scopeOf(me: Me): string[] | null {
  return me.role === "admin" ? null : me.group_ids;
}

/** Whether an employee (never a service account) belongs to one of ``groupIds`` (any, when
 * null). The inbox's person filter and the card's assign list offer the same people. */
export function inScope(user: User, groupIds: readonly string[] | null): boolean {
  return !user.is_service
    && (groupIds === null || (user.group_ids ?? []).some((g) => groupIds.includes(g)));
}

/** Whom the signed-in person may give a task to, as the server decides
 * (shared/domain/access.py, ``can_assign_to``): an admin anyone and any group; a supervisor
 * themself, the members of their groups and those groups' queues; a manager nobody. */
export function useAssignable(me: Me, wanted: boolean): { users: User[]; groups: GroupRef[] } | null {
  const [found, setFound] = useState<{ users: User[]; groups: GroupRef[] } | null>(null);
  useEffect(() => {
    if (!wanted || found || me.role === "manager") return;
    const scope = scopeOf(me);
    // a supervisor's groups come with the session; only an admin needs the whole list
    const groups = scope === null ? api.groups().then((g) => g.items) : Promise.resolve(me.groups);
    Promise.all([api.users(), groups]).then(([u, g]) => setFound({
      users: u.items.filter((x) => x.id === me.id || inScope(x, scope)),
      groups: scope === null ? g : g.filter((x) => scope.includes(x.id)),
    }), () => undefined);
  }, [wanted, me.id]);
  return found;
}
