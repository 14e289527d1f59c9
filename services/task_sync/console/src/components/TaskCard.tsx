import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, api } from "../api/client";
import type { TaskDetail } from "../api/types";
import { t } from "../i18n";
import { providerLabel } from "../lib/channels";
import { useAssignable } from "../lib/people";
import { full, timeLeft } from "../lib/time";
import { useStore } from "../lib/store";
import { session } from "../state";
import { ContactCard } from "./ContactCard";
import { SlaDeadline } from "./SlaDeadline";

const DEFAULT_STATUSES = { bot: "Диалог с ботом", manager: "Диалог с менеджером", closed: "Закрыта" };

/** The three statuses' configured names (the defaults when the server does not say). */
export function statusesOf(task: TaskDetail): { bot: string; manager: string; closed: string } {
  return task.statuses ?? DEFAULT_STATUSES;
}

/** The channel as people know it: our connection's name, else its number (a phone-number id or
 * a short one in full), a long hash shortened. */
function channelLabel(task: TaskDetail): string {
  const id = task.chat.channel_id;
  if (task.channel?.name) return task.channel.name;
  return id.length > 16 ? `${id.slice(0, 8)}…` : id;
}

/** The side card of a task: who, where, which state; and what may be done with it. On a
 * narrower screen it slides over the chat when ``open``, with its own button to hide it. */
export function TaskCard({ task, open, onChanged, onHide }: {
  task: TaskDetail; open: boolean; onChanged: () => Promise<void>; onHide: () => void;
}) {
  const me = useStore(session)!;
  const p = task.permissions;
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  // only those the server lets this person give the task to
  const people = useAssignable(me, !!p?.assign);
  const [assignTo, setAssignTo] = useState("");
  const hide = useRef<HTMLButtonElement>(null);

  // opened over the chat: the keyboard starts at its hide button
  useEffect(() => {
    if (open && hide.current?.offsetParent) hide.current.focus();
  }, [open]);

  const act = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setProblem(null);
    try {
      await action();
      await onChanged();
    } catch (exc) {
      setProblem(exc instanceof ApiError ? exc.reason : String(exc));
    } finally {
      setBusy(false);
    }
  };
  const assign = () => {
    const [kind, id] = assignTo.split(":");
    if (!id) return;
    void act(() => api.assign(task.id, kind === "g" ? { group_id: id } : { user_id: id }));
  };

  const statuses = statusesOf(task);
  const win = task.window;
  const left = win?.applies ? timeLeft(win.expires_at) : null;
  return (
    <aside id="task-card" class={`card${open ? " open" : ""}`} aria-label={t("card.label")}>
      <button type="button" class="card-hide" ref={hide} onClick={onHide}>
        <span aria-hidden="true">✕</span> {t("card.hide")}
      </button>
      <dl>
        <dt>{t("card.contact")}</dt>
        <dd>{task.contact
          ? <ContactCard contact={task.contact} taskId={task.id} canEdit={me.role !== "manager"} />
          : (task.contact_name || t("card.noContact"))}</dd>
        <dt>{t("card.phone")}</dt>
        <dd>{task.phone ? <a class="nowrap" href={`tel:+${task.phone}`}>+{task.phone}</a> : task.chat.chat_id}</dd>
        <dt>{t("card.channel")}</dt>
        <dd title={task.chat.channel_id} data-testid="card-channel">{channelLabel(task)} <span class="muted">({task.chat.chat_type})</span></dd>
        <dt>{t("card.gateway")}</dt>
        <dd data-testid="card-gateway">{providerLabel(task.chat.provider)}
          {task.channel?.state && <span class="muted"> · {t("card.channelState", { state: task.channel.state })}</span>}
          {task.channel?.last_webhook_at && <span class="muted"> · {t("card.lastWebhook", { at: full(task.channel.last_webhook_at) })}</span>}
        </dd>
        <dt>{t("card.status")}</dt>
        <dd data-testid="task-status">{task.status}</dd>
        <dt>{t("card.assignee")}</dt>
        <dd>{task.assignee?.full_name ?? t("card.unassigned")}</dd>
        {task.group && <><dt>{t("card.group")}</dt><dd>{task.group.name}</dd></>}
        {task.sla_due_at && <><dt>{t("sla.label")}</dt><dd><SlaDeadline task={task} /></dd></>}
        <dt>{t("card.window")}</dt>
        <dd data-testid="window-state">{!win?.applies ? t("card.windowNone")
          : left ? t("card.windowOpen", { left }) : t("card.windowClosed")}</dd>
        <dt>{t("card.created")}</dt>
        <dd>{full(task.created_at)}</dd>
        {task.last_activity_at && <><dt>{t("card.activity")}</dt>
          <dd><time dateTime={task.last_activity_at} data-testid="card-activity">{full(task.last_activity_at)}</time></dd></>}
      </dl>
      <div class="actions">
        {p?.claim && (
          <button type="button" class="primary" disabled={busy}
                  onClick={() => void act(() => api.claim(task.id))}>{t("card.claim")}</button>
        )}
        {p?.close && task.status !== statuses.closed && (
          <button type="button" disabled={busy}
                  onClick={() => void act(() => api.setStatus(task.id, statuses.closed))}>{t("card.close")}</button>
        )}
        {p?.reopen && (
          <button type="button" disabled={busy}
                  onClick={() => void act(() => api.reopen(task.id))}>{t("card.reopen")}</button>
        )}
        {p?.close && (
          <label>
            {t("card.setStatus")}
            <select value={task.status} disabled={busy}
                    onChange={(e) => { const s = e.currentTarget.value; void act(() => api.setStatus(task.id, s)); }}>
              {[...new Set([task.status, statuses.bot, statuses.manager, statuses.closed])].map((s) => <option value={s}>{s}</option>)}
            </select>
          </label>
        )}
        {p?.assign && people && (
          <div class="assign">
            <label>
              {t("card.assignPick")}
              <select value={assignTo} onChange={(e) => setAssignTo(e.currentTarget.value)}>
                <option value="" />
                <optgroup label={t("admin.users")}>
                  {people.users.map((u) => <option value={`u:${u.id}`}>{u.full_name}</option>)}
                </optgroup>
                <optgroup label={t("admin.groups")}>
                  {people.groups.map((g) => <option value={`g:${g.id}`}>{g.name}</option>)}
                </optgroup>
              </select>
            </label>
            <button type="button" disabled={busy || !assignTo} onClick={assign}>{t("card.assignTo")}</button>
          </div>
        )}
        {problem && <p class="error" role="alert">{problem}</p>}
      </div>
    </aside>
  );
}
