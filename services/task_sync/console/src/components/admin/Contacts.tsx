import { useState } from "preact/hooks";
import { api } from "../../api/client";
import type { Contact, ImportReport, User } from "../../api/types";
import { t, type Key } from "../../i18n";
import { attempt, useLoad } from "./useLoad";

export function Contacts() {
  const [q, setQ] = useState("");
  const contacts = useLoad(() => Promise.all([api.contacts(q.trim() || undefined),
    api.users().catch(() => ({ items: [] as User[] }))]), [q]);
  const [draft, setDraft] = useState<Partial<Contact> | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const fail = contacts.setProblem;
  const [list, users] = contacts.data ?? [{ items: [] as Contact[] }, { items: [] as User[] }];
  const wanted = new URLSearchParams(location.search).get("id");
  const person = (id?: string | null) => users.items.find((u) => u.id === id)?.full_name ?? id ?? "";

  const save = async (event: Event) => {
    event.preventDefault();
    if (draft && await attempt(() => api.saveContact(draft), fail, contacts.reload)) setDraft(null);
  };
  const importCsv = async (file: File | undefined) => {
    if (!file) return;
    const csv = await file.text();
    await attempt(async () => setReport(await api.importContacts(csv)), fail, contacts.reload);
  };

  return (
    <>
      {contacts.problem && <p class="error" role="alert">{contacts.problem}</p>}
      <div class="row">
        <input type="search" aria-label={t("admin.search")} placeholder={t("admin.search")} value={q}
               onInput={(e) => setQ(e.currentTarget.value)} />
        <button type="button" class="primary" onClick={() => setDraft({ name: "", phones: [] })}>{t("admin.addContact")}</button>
        <label class="button">{t("admin.import")}
          <input type="file" accept=".csv,text/csv" hidden onChange={(e) => void importCsv(e.currentTarget.files?.[0])} />
        </label>
      </div>
      <p class="hint">{t("admin.importHint")}</p>
      {report && (
        <div class="note" role="status">
          <p>{t("admin.importDone", { n: report.imported, rejected: report.rejected.length })}</p>
          <ul>{report.rejected.map((r) => <li data-code={r.code}>{t("admin.importRow", { row: r.row, reason: rowReason(r) })}</li>)}</ul>
        </div>
      )}
      {draft && (
        <form class="admin-form" onSubmit={save}>
          <label>{t("admin.name")}<input required value={draft.name ?? ""}
            onInput={(e) => setDraft({ ...draft, name: e.currentTarget.value })} /></label>
          <label>{t("admin.phones")}<input value={(draft.phones ?? []).join(", ")}
            onInput={(e) => setDraft({ ...draft, phones: e.currentTarget.value.split(",").map((p) => p.trim()).filter(Boolean) })} /></label>
          <label>{t("admin.responsible")}<select value={draft.responsible_user_id ?? ""}
            onChange={(e) => setDraft({ ...draft, responsible_user_id: e.currentTarget.value || null })}>
            <option value="" />
            {users.items.filter((u) => !u.is_service).map((u) => <option value={u.id}>{u.full_name}</option>)}
          </select></label>
          <div class="row">
            <button type="submit" class="primary">{t("app.save")}</button>
            <button type="button" onClick={() => setDraft(null)}>{t("app.cancel")}</button>
          </div>
        </form>
      )}
      <table class="grid">
        <thead><tr><th>{t("admin.name")}</th><th>{t("card.phone")}</th><th>{t("admin.responsible")}</th><th /></tr></thead>
        <tbody>
          {list.items.map((c) => (
            <tr class={c.id === wanted ? "highlight" : ""}>
              <td>{c.name}</td><td>{c.phones.join(", ")}</td><td>{person(c.responsible_user_id)}</td>
              <td><button type="button" class="link" onClick={() => setDraft({ ...c })}>{t("admin.edit")}</button></td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** Why the import rejected a row, in the person's language (by the server's code; a code this
 * console does not know yet keeps the server's English words). */
const REJECTIONS: Record<string, Key> = {
  no_name_column: "admin.importReject.no_name_column",
  too_many_rows: "admin.importReject.too_many_rows",
  name_missing: "admin.importReject.name_missing",
  bad_phone: "admin.importReject.bad_phone",
  unknown_responsible: "admin.importReject.unknown_responsible",
  invalid_field: "admin.importReject.invalid_field",
  phone_repeated: "admin.importReject.phone_repeated",
  phone_taken: "admin.importReject.phone_taken",
  unknown_user: "admin.importReject.unknown_user",
};

function rowReason(r: ImportReport["rejected"][number]): string {
  const key = r.code ? REJECTIONS[r.code] : undefined;
  return key ? t(key, r.params) : r.reason;
}
