import { useState } from "preact/hooks";
import { api } from "../../api/client";
import type { GroupRef } from "../../api/types";
import { t } from "../../i18n";
import { Dialog } from "../Dialog";
import "./admin.css";
import { Confirm } from "./Confirm";
import { attempt, useLoad, type Problem } from "./useLoad";

export function Groups() {
  const groups = useLoad(() => api.groups());
  const [name, setName] = useState("");
  const [renaming, setRenaming] = useState<GroupRef | null>(null);
  const [deleting, setDeleting] = useState<GroupRef | null>(null);
  const fail = groups.setProblem;
  const add = async (event: Event) => {
    event.preventDefault();
    if (await attempt(() => api.createGroup(name.trim()), fail, groups.reload)) setName("");
  };
  return (
    <>
      {groups.problem && <p class="error" role="alert">{groups.problem}</p>}
      <form class="admin-form inline" onSubmit={add}>
        <label>{t("admin.name")}<input required value={name} onInput={(e) => setName(e.currentTarget.value)} /></label>
        <button type="submit" class="primary">{t("admin.addGroup")}</button>
      </form>
      {renaming && <RenameDialog group={renaming} onClose={() => setRenaming(null)}
        onDone={() => { setRenaming(null); void groups.reload(); }} />}
      {deleting && <Confirm title={t("admin.deleteGroupTitle")} confirm={t("admin.delete")}
        question={t("admin.deleteGroupConfirm", { name: deleting.name })}
        onConfirm={() => attempt(() => api.deleteGroup(deleting.id), fail, groups.reload)}
        onClose={() => setDeleting(null)} />}
      <table class="grid stack">
        <thead><tr><th>{t("admin.name")}</th><th>id</th><th /></tr></thead>
        <tbody>
          {(groups.data?.items ?? []).map((g) => (
            <tr data-group-id={g.id}>
              <td class="title">{g.name}</td><td class="muted" data-label="id">{g.id}</td>
              <td class="actions">
                <button type="button" class="link" onClick={() => setRenaming(g)}>{t("admin.rename")}</button>
                <button type="button" class="link danger" onClick={() => setDeleting(g)}>{t("admin.delete")}</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** A group's new name; the server's refusal (a taken name, the routing group) shows here. */
function RenameDialog({ group, onClose, onDone }: {
  group: GroupRef; onClose: () => void; onDone: () => void;
}) {
  const [name, setName] = useState(group.name);
  const [problem, setProblem] = useState<Problem>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const next = name.trim();
    if (!next) return setProblem(t("error.field.required", { field: t("admin.newName") }));
    if (next === group.name) return onClose();
    setBusy(true);
    const ok = await attempt(() => api.renameGroup(group.id, next), setProblem);
    setBusy(false);
    if (ok) onDone();
  };
  return (
    <Dialog title={t("admin.renameGroup", { name: group.name })} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <label>{t("admin.newName")}<input required value={name}
          onInput={(e) => { setName(e.currentTarget.value); setProblem(null); }} /></label>
        {problem && <p class="error" role="alert">{problem}</p>}
        <div class="row">
          <button type="submit" class="primary" disabled={busy}>{t("app.save")}</button>
          <button type="button" onClick={onClose}>{t("app.cancel")}</button>
        </div>
      </form>
    </Dialog>
  );
}
