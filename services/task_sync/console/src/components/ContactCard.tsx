import { useEffect, useState } from "preact/hooks";
import { api } from "../api/client";
import type { Contact, TaskSummary } from "../api/types";
import { t } from "../i18n";
import { link, taskPath } from "../lib/router";

/** The task's contact as the directory holds it: read by everyone who sees the task (phones,
 * responsible employee, the contact's other open tasks in my lists); the link to edit it only
 * for those who edit the directory. */
export function ContactCard({ contact, taskId, canEdit }: {
  contact: Contact; taskId: string; canEdit: boolean;
}) {
  const [open, setOpen] = useState(false);
  const [responsible, setResponsible] = useState<string | null>(null);
  const [others, setOthers] = useState<TaskSummary[] | null>(null);

  useEffect(() => {
    if (!open) return;
    if (contact.responsible_user_id) {
      api.users().then((u) => setResponsible(
        u.items.find((x) => x.id === contact.responsible_user_id)?.full_name ?? null), () => undefined);
    }
    const phone = contact.phones[0];
    if (phone) {  // indexed phone-prefix reads of my lists (open and closed)
      Promise.all((["mine", "closed"] as const).map((view) => api.inbox({ view, q: phone, limit: 10 })))
        .then((pages) => setOthers(pages.flatMap((p) => p.items).filter((x) => x.id !== taskId)),
          () => setOthers([]));
    }
  }, [open, contact.id]);

  const edit = `/admin/contacts?id=${encodeURIComponent(contact.id)}`;
  return (
    <details class="contact-view" data-testid="contact-view"
             onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
      <summary>{contact.name}</summary>
      <dl>
        <dt>{t("contact.phones")}</dt>
        <dd>{contact.phones.map((p) => <span class="nowrap">+{p} </span>)}</dd>
        <dt>{t("contact.responsible")}</dt>
        <dd>{contact.responsible_user_id ? (responsible ?? contact.responsible_user_id) : t("contact.nobody")}</dd>
        {others && others.length > 0 && <>
          <dt>{t("contact.otherTasks")}</dt>
          <dd>{others.map((o) => (
            <a class="nowrap" href={taskPath(o.id, "mine")} onClick={link(taskPath(o.id, "mine"))}>
              {o.title} · {o.status}</a>
          ))}</dd>
        </>}
      </dl>
      {canEdit && <a href={edit} onClick={link(edit)}>{t("contact.edit")}</a>}
    </details>
  );
}
