// What the whole console shares: who is signed in, the inbox counts, the open task, and what a
// new customer message does (unread badge, tab title, browser notification).
import { ApiError, api, whenSignedOut } from "./api/client";
import { connectLive, disconnectLive, onLive } from "./api/events";
import type { InboxCounts, LiveEvent, Me, TaskSummary } from "./api/types";
import { t } from "./i18n";
import { navigate } from "./lib/router";
import { store } from "./lib/store";

/** undefined while we ask the server, null when nobody is signed in. */
export const session = store<Me | null | undefined>(undefined);
export const counts = store<InboxCounts | null>(null);
export const openTaskId = store<string | null>(null);
/** Customer messages that arrived in my tasks while I was not looking at them. */
export const unseen = store<Record<string, number>>({});

const tasks = new Map<string, TaskSummary>();

export function remember(items: TaskSummary[]): void {
  for (const task of items) tasks.set(task.id, task);
}

export function known(taskId: string): TaskSummary | undefined {
  return tasks.get(taskId);
}

let countsTimer: number | undefined;
export function refreshCounts(delayMs = 300): void {
  window.clearTimeout(countsTimer);
  countsTimer = window.setTimeout(async () => {
    try {
      counts.set(await api.inboxCounts());
    } catch (exc) {
      if (!(exc instanceof ApiError)) throw exc;
    }
  }, delayMs);
}

function unreadTotal(): number {
  const local = Object.values(unseen.get()).reduce((a, b) => a + b, 0);
  return Math.max(counts.get()?.unread ?? 0, local > 0 ? Object.keys(unseen.get()).length : 0);
}

function updateTitle(): void {
  const n = unreadTotal();
  document.title = n > 0 ? t("notify.titleTab", { n }) : t("app.name");
}
counts.subscribe(updateTitle);
unseen.subscribe(updateTitle);

export function markRead(taskId: string): void {
  if (!(taskId in unseen.get())) return;
  const next = { ...unseen.get() };
  delete next[taskId];
  unseen.set(next);
}

function isMine(taskId: string): boolean {
  const me = session.get();
  const task = tasks.get(taskId);
  return !!me && !!task && task.assignee_user_id === me.id;
}

function looking(taskId: string): boolean {
  return openTaskId.get() === taskId && document.visibilityState === "visible";
}

function onCustomerMessage(event: Extract<LiveEvent, { type: "comment.added" }>): void {
  const { comment, task_id: taskId } = event;
  if (comment.direction !== "in" || !isMine(taskId) || looking(taskId)) return;
  unseen.update((now) => ({ ...now, [taskId]: (now[taskId] ?? 0) + 1 }));
  if ("Notification" in window && Notification.permission === "granted") {
    const task = tasks.get(taskId);
    const name = comment.sender_name || task?.contact_name || task?.phone || t("chat.customer");
    const note = new Notification(t("notify.title", { name }),
      { body: comment.text.slice(0, 140), tag: taskId });
    note.onclick = () => {
      window.focus();
      navigate(`/tasks/${encodeURIComponent(taskId)}`);
    };
  }
}

function follow(event: LiveEvent): void {
  if (event.type === "task.created" || event.type === "task.updated") {
    remember([event.task]);
  }
  if (event.type === "comment.added") onCustomerMessage(event);
  if (event.type !== "comment.updated") refreshCounts();
}

let stopFollowing: (() => void) | null = null;

export function signedIn(me: Me): void {
  session.set(me);
  connectLive();
  stopFollowing ??= onLive(follow);
  refreshCounts(0);
}

export function signedOut(): void {
  disconnectLive();
  stopFollowing?.();
  stopFollowing = null;
  tasks.clear();
  counts.set(null);
  unseen.set({});
  session.set(null);
}

whenSignedOut(() => {
  if (session.get()) signedOut();
});

document.addEventListener("visibilitychange", () => {
  const open = openTaskId.get();
  if (open && document.visibilityState === "visible") markRead(open);
});
