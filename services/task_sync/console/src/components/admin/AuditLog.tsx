import { useEffect, useState } from "preact/hooks";
import { api } from "../../api/client";
import type { User } from "../../api/types";
import { t } from "../../i18n";
import { full } from "../../lib/time";
import { useLoad } from "./useLoad";

export function AuditLog() {
  const [filter, setFilter] = useState({ actor: "", action: "", since: "" });
  const [applied, setApplied] = useState(filter);
  // whose actions: people by name (the log filters by id); service accounts last
  const [people, setPeople] = useState<User[]>([]);
  useEffect(() => {
    api.users().then((u) => setPeople([...u.items].sort((a, b) =>
      Number(!!a.is_service) - Number(!!b.is_service) || a.full_name.localeCompare(b.full_name))),
    () => undefined);
  }, []);
  const audit = useLoad(() => api.audit({ actor: applied.actor || undefined,
    action: applied.action || undefined,
    since: applied.since ? new Date(applied.since).toISOString() : undefined }), [applied]);
  return (
    <>
      <form class="admin-form inline" onSubmit={(e) => { e.preventDefault(); setApplied({ ...filter }); }}>
        <label>{t("admin.actor")}<select value={filter.actor}
          onChange={(e) => setFilter({ ...filter, actor: e.currentTarget.value })}>
          <option value="">{t("admin.anyone")}</option>
          {people.map((u) => <option value={u.id}>
            {u.is_service ? `${u.full_name} (${t("admin.serviceUser")})` : u.full_name}</option>)}
        </select></label>
        <label>{t("admin.action")}<input value={filter.action} onInput={(e) => setFilter({ ...filter, action: e.currentTarget.value })} /></label>
        <label>{t("admin.since")}<input type="date" value={filter.since} onInput={(e) => setFilter({ ...filter, since: e.currentTarget.value })} /></label>
        <button type="submit">{t("admin.filter")}</button>
      </form>
      {audit.problem && <p class="error" role="alert">{audit.problem}</p>}
      <table class="grid">
        <thead><tr><th>{t("admin.when")}</th><th>{t("admin.actor")}</th><th>{t("admin.action")}</th><th>{t("admin.target")}</th></tr></thead>
        <tbody>
          {(audit.data?.items ?? []).map((a) => (
            <tr>
              <td>{full(a.at)}</td><td>{a.actor_name ?? a.actor_id ?? ""} <span class="muted">{a.via ?? ""}</span></td>
              <td>{a.action}</td>
              <td>{a.target_kind ?? ""} {a.target_id ?? ""}
                {a.details && Object.keys(a.details).length > 0 && (
                  <details><summary>…</summary><pre class="json">{JSON.stringify(a.details, null, 2)}</pre></details>
                )}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {audit.data && !audit.data.items.length && <p class="empty">{t("admin.none")}</p>}
    </>
  );
}
