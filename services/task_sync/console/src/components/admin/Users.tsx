import { useState } from "preact/hooks";
import { api } from "../../api/client";
import type { GroupRef, Role, User } from "../../api/types";
import { t } from "../../i18n";
import { attempt, useLoad } from "./useLoad";

const ROLES: Role[] = ["manager", "supervisor", "admin"];

interface Draft {
  id?: string;
  full_name: string;
  login: string;
  role: Role;
  group_ids: string[];
  phones: string;
  password: string;
}
const EMPTY: Draft = { full_name: "", login: "", role: "manager", group_ids: [], phones: "", password: "" };

export function Users() {
  const users = useLoad(() => Promise.all([api.users(), api.groups()]));
  const [draft, setDraft] = useState<Draft | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const fail = users.setProblem;
  const [list, groups] = users.data ?? [{ items: [] as User[] }, { items: [] as GroupRef[] }];
  const groupName = (id: string) => groups.items.find((g) => g.id === id)?.name ?? id;

  const save = async (event: Event) => {
    event.preventDefault();
    if (!draft) return;
    const body = { full_name: draft.full_name, login: draft.login || undefined, role: draft.role,
      group_ids: draft.group_ids, is_admin: draft.role === "admin",
      phones: draft.phones.split(",").map((p) => p.trim()).filter(Boolean) };
    const ok = await attempt(() => (draft.id ? api.updateUser(draft.id, body)
      : api.createUser({ ...body, password: draft.password || undefined })), fail, users.reload);
    if (ok) setDraft(null);
  };
  const password = async (u: User) => {
    const value = window.prompt(`${t("admin.newPassword")}: ${u.full_name}`);
    if (value) await attempt(() => api.setPassword(u.id, value), fail, () => setNote(t("admin.passwordSet")));
  };
  const token = (u: User) => attempt(async () => {
    const issued = await api.issueToken(u.id);
    setNote(t("admin.tokenIssued", { token: issued.token }));
  }, fail);

  return (
    <>
      {users.problem && <p class="error" role="alert">{users.problem}</p>}
      {note && <p class="note" role="status">{note}</p>}
      <button type="button" class="primary" onClick={() => setDraft({ ...EMPTY })}>{t("admin.addUser")}</button>
      {draft && (
        <form class="admin-form" onSubmit={save}>
          <label>{t("admin.name")}<input required value={draft.full_name}
            onInput={(e) => setDraft({ ...draft, full_name: e.currentTarget.value })} /></label>
          <label>{t("admin.login")}<input value={draft.login} autoComplete="off"
            onInput={(e) => setDraft({ ...draft, login: e.currentTarget.value })} /></label>
          <label>{t("admin.role")}<select value={draft.role}
            onChange={(e) => setDraft({ ...draft, role: e.currentTarget.value as Role })}>
            {ROLES.map((r) => <option value={r}>{t(`role.${r}`)}</option>)}</select></label>
          <fieldset><legend>{t("admin.groupsCol")}</legend>
            {groups.items.map((g) => (
              <label class="check"><input type="checkbox" checked={draft.group_ids.includes(g.id)}
                onChange={(e) => setDraft({ ...draft, group_ids: e.currentTarget.checked
                  ? [...draft.group_ids, g.id] : draft.group_ids.filter((x) => x !== g.id) })} />{g.name}</label>
            ))}
          </fieldset>
          <label>{t("admin.phones")}<input value={draft.phones}
            onInput={(e) => setDraft({ ...draft, phones: e.currentTarget.value })} /></label>
          {!draft.id && <label>{t("admin.password")}<input type="password" autoComplete="new-password"
            value={draft.password} onInput={(e) => setDraft({ ...draft, password: e.currentTarget.value })} /></label>}
          <div class="row">
            <button type="submit" class="primary">{t("app.save")}</button>
            <button type="button" onClick={() => setDraft(null)}>{t("app.cancel")}</button>
          </div>
        </form>
      )}
      <table class="grid">
        <thead><tr><th>{t("admin.name")}</th><th>{t("admin.login")}</th><th>{t("admin.role")}</th>
          <th>{t("admin.groupsCol")}</th><th /></tr></thead>
        <tbody>
          {list.items.filter((u) => !u.is_service).map((u) => (
            <tr>
              <td>{u.full_name}</td>
              <td>{u.login ?? ""}</td>
              <td>{t(`role.${u.role ?? (u.is_admin ? "admin" : "manager")}`)}</td>
              <td>{(u.group_ids ?? []).map(groupName).join(", ")}</td>
              <td class="row">
                <button type="button" class="link" onClick={() => setDraft({ id: u.id, full_name: u.full_name,
                  login: u.login ?? "", role: u.role ?? (u.is_admin ? "admin" : "manager"),
                  group_ids: u.group_ids ?? [], phones: (u.phones ?? []).join(", "), password: "" })}>{t("admin.edit")}</button>
                <button type="button" class="link" onClick={() => void password(u)}>{t("admin.setPassword")}</button>
                <button type="button" class="link" onClick={() => void token(u)}>{t("admin.token")}</button>
                <button type="button" class="link" onClick={() => void attempt(() => api.revokeTokens(u.id), fail,
                  () => setNote(t("admin.done")))}>{t("admin.revoke")}</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
