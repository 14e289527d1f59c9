import { useState } from "preact/hooks";
import { api } from "../../api/client";
import type { GroupRef, Role, User } from "../../api/types";
import { t } from "../../i18n";
import { Dialog } from "../Dialog";
import "./admin.css";
import { Confirm } from "./Confirm";
import { attempt, useLoad, type Problem } from "./useLoad";

/** The server's shortest password (application/passwords.py), checked here first. */
export const MIN_PASSWORD = 8;

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
  const [formProblem, setFormProblem] = useState<Problem>(null);
  const [passwordOf, setPasswordOf] = useState<User | null>(null);
  const [revokeOf, setRevokeOf] = useState<User | null>(null);
  const fail = users.setProblem;
  const [list, groups] = users.data ?? [{ items: [] as User[] }, { items: [] as GroupRef[] }];
  const groupName = (id: string) => groups.items.find((g) => g.id === id)?.name ?? id;

  const save = async (event: Event) => {
    event.preventDefault();
    if (!draft) return;
    setFormProblem(null);
    if (!draft.id && draft.password && draft.password.length < MIN_PASSWORD) {
      setFormProblem(t("error.passwordShort", { n: MIN_PASSWORD }));
      return;
    }
    const body = { full_name: draft.full_name, login: draft.login || undefined, role: draft.role,
      group_ids: draft.group_ids, is_admin: draft.role === "admin",
      phones: draft.phones.split(",").map((p) => p.trim()).filter(Boolean) };
    const ok = await attempt(() => (draft.id ? api.updateUser(draft.id, body)
      : api.createUser({ ...body, password: draft.password || undefined })), setFormProblem,
      users.reload);
    if (ok) setDraft(null);
  };
  const token = (u: User) => attempt(async () => {
    const issued = await api.issueToken(u.id);
    setNote(t("admin.tokenIssued", { token: issued.token }));
  }, fail);

  return (
    <>
      {users.problem && <p class="error" role="alert">{users.problem}</p>}
      {note && <p class="note" role="status">{note}</p>}
      <button type="button" class="primary" onClick={() => { setFormProblem(null); setDraft({ ...EMPTY }); }}>{t("admin.addUser")}</button>
      {draft && (
        <form class="admin-form" onSubmit={save} aria-label={draft.id ? t("admin.edit") : t("admin.addUser")}>
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
            aria-describedby="new-user-password-hint" value={draft.password}
            onInput={(e) => setDraft({ ...draft, password: e.currentTarget.value })} /></label>}
          {!draft.id && <p id="new-user-password-hint" class="hint">{t("admin.passwordHintOptional")}</p>}
          {formProblem && <p class="error" role="alert">{formProblem}</p>}
          <div class="row">
            <button type="submit" class="primary">{t("app.save")}</button>
            <button type="button" onClick={() => { setDraft(null); setFormProblem(null); }}>{t("app.cancel")}</button>
          </div>
        </form>
      )}
      {passwordOf && <PasswordDialog user={passwordOf} onClose={() => setPasswordOf(null)}
        onDone={() => { setPasswordOf(null); setNote(t("admin.passwordSet")); }} />}
      {revokeOf && <Confirm title={t("admin.revokeTitle")} confirm={t("admin.revoke")}
        question={t("admin.revokeConfirm", { name: revokeOf.full_name })}
        onConfirm={() => attempt(() => api.revokeTokens(revokeOf.id), fail, () => setNote(t("admin.done")))}
        onClose={() => setRevokeOf(null)} />}
      <table class="grid stack">
        <thead><tr><th>{t("admin.name")}</th><th>{t("admin.login")}</th><th>{t("admin.role")}</th>
          <th>{t("admin.groupsCol")}</th><th /></tr></thead>
        <tbody>
          {list.items.filter((u) => !u.is_service).map((u) => (
            <tr>
              <td class="title">{u.full_name}</td>
              <td data-label={t("admin.login")}>{u.login ?? ""}</td>
              <td data-label={t("admin.role")}>{t(`role.${u.role ?? (u.is_admin ? "admin" : "manager")}`)}</td>
              <td data-label={t("admin.groupsCol")}>{(u.group_ids ?? []).map(groupName).join(", ")}</td>
              <td class="actions">
                <button type="button" class="link" onClick={() => setDraft({ id: u.id, full_name: u.full_name,
                  login: u.login ?? "", role: u.role ?? (u.is_admin ? "admin" : "manager"),
                  group_ids: u.group_ids ?? [], phones: (u.phones ?? []).join(", "), password: "" })}>{t("admin.edit")}</button>
                <button type="button" class="link" onClick={() => setPasswordOf(u)}>{t("admin.setPassword")}</button>
                <button type="button" class="link" onClick={() => void token(u)}>{t("admin.token")}</button>
                <button type="button" class="link danger" onClick={() => setRevokeOf(u)}>{t("admin.revoke")}</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** A new console password for ``user``: typed twice, hidden, at least MIN_PASSWORD characters. */
function PasswordDialog({ user, onClose, onDone }: {
  user: User; onClose: () => void; onDone: () => void;
}) {
  const [first, setFirst] = useState("");
  const [second, setSecond] = useState("");
  const [problem, setProblem] = useState<Problem>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (first.length < MIN_PASSWORD) return setProblem(t("error.passwordShort", { n: MIN_PASSWORD }));
    if (first !== second) return setProblem(t("admin.passwordMismatch"));
    setBusy(true);
    const ok = await attempt(() => api.setPassword(user.id, first), setProblem);
    setBusy(false);
    if (ok) onDone();
  };
  const typed = (set: (value: string) => void) => (e: { currentTarget: HTMLInputElement }) => {
    set(e.currentTarget.value);
    setProblem(null);
  };
  return (
    <Dialog title={t("admin.passwordFor", { name: user.full_name })} onClose={onClose}>
      <form onSubmit={submit} noValidate data-testid="password-dialog">
        <label>{t("admin.newPassword")}<input type="password" autoComplete="new-password" required
          minLength={MIN_PASSWORD} value={first} onInput={typed(setFirst)}
          aria-describedby="password-hint" /></label>
        <p id="password-hint" class="hint">{t("admin.passwordHint")}</p>
        <label>{t("admin.passwordRepeat")}<input type="password" autoComplete="new-password" required
          value={second} onInput={typed(setSecond)} /></label>
        {problem && <p class="error" role="alert">{problem}</p>}
        <div class="row">
          <button type="submit" class="primary" disabled={busy}>{t("admin.passwordSave")}</button>
          <button type="button" onClick={onClose}>{t("app.cancel")}</button>
        </div>
      </form>
    </Dialog>
  );
}
