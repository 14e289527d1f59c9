import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, api } from "../api/client";
import { onLive } from "../api/events";
import type { InboxView, TaskSummary, User } from "../api/types";
import { t, type Key } from "../i18n";
import { channelChoices, providerLabel } from "../lib/channels";
import { reactionPreview } from "../lib/reactions";
import { link, navigate, taskPath } from "../lib/router";
import { useStore } from "../lib/store";
import { inScope, scopeOf } from "../lib/people";
import { short, timeLeft } from "../lib/time";
import { counts, remember, session, unseen } from "../state";
import { SlaChip } from "./SlaDeadline";

const VIEWS: InboxView[] = ["mine", "queue", "all", "closed"];
const PROVIDERS = ["wazzup", "meta", "chat_api"];
// the defaults, for a server that does not name its statuses in /me
const KNOWN_STATUSES = ["Диалог с ботом", "Диалог с менеджером", "Закрыта"];

interface Filters {
  status: string;
  provider: string;
  channel_id: string;
  assignee: string;
  sort: "" | "due";
}

const NO_FILTERS: Filters = { status: "", provider: "", channel_id: "", assignee: "", sort: "" };

export function Inbox({ view, openTaskId }: { view: string; openTaskId: string | null }) {
  const me = useStore(session)!;
  const c = useStore(counts);
  const local = useStore(unseen);
  const current = (VIEWS as string[]).includes(view) ? (view as InboxView) : "mine";
  const [items, setItems] = useState<TaskSummary[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [q, setQ] = useState("");
  const [inText, setInText] = useState(false);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const choices = useFilterChoices(me.role !== "manager", scopeOf(me));
  const search = useRef<HTMLInputElement>(null);
  const list = useRef<HTMLUListElement>(null);
  const generation = useRef(0);
  // the latest message each task got live: a list served before its activity was written (or
  // loaded after the message arrived) must not show an older preview
  const heard = useRef(new Map<string, TaskSummary>());

  const load = async (before: string | null = null) => {
    const mine = ++generation.current;
    setLoading(true);
    try {
      const page = await api.inbox({ view: current, q: q.trim() || undefined,
        text: inText && q.trim().length >= 3, before, status: filters.status || undefined,
        provider: filters.provider || undefined, channel_id: filters.channel_id || undefined,
        assignee: filters.assignee || undefined,
        sort: filters.sort || undefined });
      if (mine !== generation.current) return;
      remember(page.items);
      setItems((old) => (before ? [...old, ...page.items]
        : inOrder(fresher(page.items, [...heard.current.values(), ...old]), filters.sort)));
      setNext(page.next);
      setError(null);
    } catch (exc) {
      if (mine === generation.current) {
        setError(exc instanceof ApiError ? exc.reason : String(exc));
      }
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  };

  // a new query: at once for tabs and filters, after a pause while typing
  useEffect(() => {
    const timer = window.setTimeout(() => void load(), q ? 250 : 0);
    return () => window.clearTimeout(timer);
  }, [current, q, inText, filters.status, filters.provider, filters.channel_id, filters.assignee,
    filters.sort]);

  // live: move the task up at once, then ask the server for the list as it now is
  useEffect(() => {
    let timer: number | undefined;
    const off = onLive((event) => {
      // our own reaction is no news in the list (the server keeps the preview as it was)
      if (event.type === "comment.added" && event.comment.content_type === "reaction"
          && event.comment.direction === "out") return;
      // a notice (hand-over, status) is no message: the preview stays; task.updated reloads
      if (event.type === "comment.added" && event.comment.author_kind === "system") return;
      if (event.type === "comment.added") {
        const { text, direction, at, author_kind } = event.comment;
        heard.current.set(event.task_id, { id: event.task_id, last_preview: text.slice(0, 120),
          last_direction: direction, last_author_kind: author_kind, last_activity_at: at } as TaskSummary);
        setItems((old) => inOrder(bump(old, event.task_id, text, direction, at, author_kind),
          filters.sort));
      }
      if (event.type === "comment.updated") return;
      window.clearTimeout(timer);
      timer = window.setTimeout(() => void load(), 400);
    });
    return () => {
      off();
      window.clearTimeout(timer);
    };
  }, [current, q, inText, filters.status, filters.provider, filters.channel_id, filters.assignee,
    filters.sort]);

  // "/" focuses the search from anywhere but a text field
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement;
      if (event.key !== "/" || target.closest("input, textarea, select, [contenteditable]")) return;
      event.preventDefault();
      search.current?.focus();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);

  const onListKey = (event: KeyboardEvent) => {
    const links = Array.from(list.current?.querySelectorAll<HTMLAnchorElement>("a.task") ?? []);
    if (!links.length) return;
    const at = links.indexOf(document.activeElement as HTMLAnchorElement);
    const moves: Record<string, number> = {
      ArrowDown: at + 1, j: at + 1, ArrowUp: at - 1, k: at - 1, Home: 0, End: links.length - 1,
    };
    if (!(event.key in moves)) return;
    event.preventDefault();
    links[Math.max(0, Math.min(links.length - 1, moves[event.key]!))]!.focus();
  };
  const onSearchKey = (event: KeyboardEvent) => {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      list.current?.querySelector<HTMLAnchorElement>("a.task")?.focus();
    }
    if (event.key === "Escape") setQ("");
  };

  // a search or a filter narrowed the list: an empty one is "nothing found", with the way back
  const searching = !!q.trim() || Object.values(filters).some(Boolean);
  const clear = () => {
    setQ("");
    setInText(false);
    setFilters(NO_FILTERS);
    search.current?.focus();
  };

  const countOf = (v: InboxView): number | null => (c ? c[v] : null);
  const views = VIEWS.filter((v) => v !== "all" || me.role !== "manager");
  const statuses = [...new Set([...(me.statuses ?? KNOWN_STATUSES), ...items.map((i) => i.status)])];

  return (
    <section class="inbox" aria-label={t("inbox.label")}>
      <nav class="tabs" aria-label={t("inbox.views")}>
        {views.map((v) => (
          <a href={`/inbox/${v}`} onClick={link(`/inbox/${v}`)} class="tab"
             aria-current={v === current ? "page" : undefined} data-view={v}>
            {t(`inbox.${v}` as Key)}
            {countOf(v) !== null && <span class="count">{shownCount(countOf(v)!, c?.cap)}</span>}
          </a>
        ))}
      </nav>
      <div class="search" role="search">
        <input ref={search} type="search" id="inbox-search" value={q}
               placeholder={t("inbox.search")} aria-label={t("inbox.search")}
               aria-keyshortcuts="/" title={t("inbox.searchHint")}
               onInput={(e) => setQ(e.currentTarget.value)} onKeyDown={onSearchKey} />
        <label class="check">
          <input type="checkbox" checked={inText} onChange={(e) => setInText(e.currentTarget.checked)} />
          {t("inbox.searchText")}
        </label>
        <details class="filters">
          <summary>{t("inbox.filters")}</summary>
          <FilterSelect label={t("inbox.status")} value={filters.status}
                        options={statuses.map((s) => [s, s])}
                        onChange={(status) => setFilters({ ...filters, status })} />
          <FilterSelect label={t("inbox.gateway")} value={filters.provider}
                        options={PROVIDERS.map((p) => [p, providerLabel(p)])}
                        onChange={(provider) => setFilters({ ...filters, provider })} />
          {choices.channels.length > 0 && (
            <FilterSelect label={t("inbox.channel")} value={filters.channel_id}
                          options={choices.channels}
                          onChange={(channel_id) => setFilters({ ...filters, channel_id })} />
          )}
          {me.role !== "manager" && (
            <FilterSelect label={t("inbox.assignee")} value={filters.assignee}
                          options={[["me", t("inbox.me")], ["none", t("inbox.nobody")],
                            ...choices.people.filter(([id]) => id !== me.id)]}
                          onChange={(assignee) => setFilters({ ...filters, assignee })} />
          )}
          <label>
            {t("sla.sort")}
            <select value={filters.sort} data-testid="inbox-sort"
                    onChange={(e) => setFilters({ ...filters, sort: e.currentTarget.value as Filters["sort"] })}>
              <option value="">{t("sla.sortActivity")}</option>
              <option value="due">{t("sla.sortDue")}</option>
            </select>
          </label>
        </details>
      </div>
      {error && <p class="error" role="alert">{t("app.error", { reason: error })}</p>}
      {/* above the list, which fills the column even when empty */}
      {!loading && !items.length && !error && (searching
        ? (
          <p class="empty" role="status" data-testid="nothing-found">
            {q.trim() ? t("inbox.nothingFound", { q: q.trim() }) : t("inbox.nothingFiltered")}{" "}
            <button type="button" class="link" onClick={clear}>{t("inbox.clearSearch")}</button>
          </p>
        )
        : <p class="empty">{t("inbox.empty")}</p>)}
      <ul class="tasks" ref={list} onKeyDown={onListKey} aria-label={t("inbox.keyboard")}
          aria-busy={loading}>
        {items.map((task) => (
          <TaskRow task={task} view={current} open={task.id === openTaskId}
                   unread={task.id === openTaskId ? 0 : Math.max(task.unread ?? 0, local[task.id] ?? 0)}
                   me={me.id} />
        ))}
      </ul>
      {next && (
        <button type="button" class="more" onClick={() => void load(next)} disabled={loading}>
          {t("app.more")}
        </button>
      )}
    </section>
  );
}

/** The server's list, except where this tab has already seen newer activity live (the
 * server's summary may lag the stream by a moment): the list never steps back. */
function fresher(served: TaskSummary[], shown: TaskSummary[]): TaskSummary[] {
  const at = (t: TaskSummary) => Date.parse(t.last_activity_at ?? t.created_at);
  const seen = new Map<string, TaskSummary>();
  for (const t of shown) {
    const other = seen.get(t.id);
    if (!other || at(t) > at(other)) seen.set(t.id, t);
  }
  return served.map((task) => {
    const mine = seen.get(task.id);
    if (!mine || !mine.last_preview || at(mine) <= at(task)) return task;
    return { ...task, last_preview: mine.last_preview, last_direction: mine.last_direction,
      last_author_kind: mine.last_author_kind, last_activity_at: mine.last_activity_at };
  });
}

function bump(items: TaskSummary[], taskId: string, text: string, direction: "in" | "out",
              at: string, authorKind?: string | null): TaskSummary[] {
  return items.map((i) => (i.id !== taskId ? i : { ...i, last_preview: text.slice(0, 120),
    last_direction: direction, last_author_kind: authorKind, last_activity_at: at }));
}

/** The list in the chosen order, as the server sorts it: newest activity first, or (``due``)
 * the soonest response deadline first. A live update changes a task's activity after the
 * server sorted the page, so the merged list is sorted again (stably: ties keep the server's
 * order). */
export function inOrder(items: TaskSummary[], sort: Filters["sort"]): TaskSummary[] {
  const key = sort === "due"
    ? (t: TaskSummary) => -Date.parse(t.sla_due_at ?? "9999-12-31T00:00:00Z")
    : (t: TaskSummary) => Date.parse(t.last_activity_at ?? t.created_at);
  return items.map((task, at) => ({ task, at, key: key(task) }))
    .sort((a, b) => b.key - a.key || a.at - b.at).map((x) => x.task);
}

function TaskRow({ task, view, open, unread, me }: {
  task: TaskSummary; view: InboxView; open: boolean; unread: number; me: string;
}) {
  const name = task.contact_name || task.phone || task.chat.chat_id;
  const left = task.window_expires_at !== undefined && task.window_expires_at !== null
    ? timeLeft(task.window_expires_at) : undefined;
  const href = taskPath(task.id, view);
  return (
    <li>
      <a class={`task${open ? " open" : ""}${unread ? " unread" : ""}`} href={href}
         onClick={(e) => { e.preventDefault(); navigate(href); }}
         aria-current={open ? "true" : undefined} data-task-id={task.id}>
        <span class="task-top">
          <span class="task-name">{name}</span>
          <time class="task-time" dateTime={task.last_activity_at ?? task.created_at}>
            {short(task.last_activity_at ?? task.created_at)}
          </time>
        </span>
        <span class="task-bottom">
          <span class="task-preview">
            {task.last_direction === "out" && (
              <span class="you">{task.last_author_kind === "bot" ? t("inbox.bot") : t("inbox.you")}</span>
            )}
            {reactionPreview(task.last_preview) ?? task.last_preview ?? task.title}
          </span>
          {unread > 0 && (
            <span class="badge" aria-label={t("inbox.unread", { n: unread })}>{unread}</span>
          )}
        </span>
        <span class="task-meta">
          <span class={`provider provider-${task.chat.provider}`}>{task.chat.provider}</span>
          <span>{task.status}</span>
          {!task.assignee_user_id && task.assignee_group_id && <span>{t("inbox.unassigned")}</span>}
          {task.assignee_user_id === me && <span>{t("inbox.me")}</span>}
          <SlaChip task={task} />
          {left !== undefined && (
            <span class={left ? "window" : "window closed"}>
              {left ? t("inbox.windowLeft", { left }) : t("inbox.windowClosed")}
            </span>
          )}
        </span>
      </a>
    </li>
  );
}

function FilterSelect({ label, value, options, onChange }: {
  label: string; value: string; options: [string, string][]; onChange: (v: string) => void;
}) {
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">{t("inbox.any")}</option>
        {options.map(([v, text]) => <option value={v}>{text}</option>)}
      </select>
    </label>
  );
}

/** A badge's figure: a count at the server's cap is "at least" ("999+"). */
export function shownCount(n: number, cap: number | undefined): string {
  return cap !== undefined && n >= cap ? `${cap - 1}+` : String(n);
}

/** What the filters offer besides the fixed values: the company numbers (by our connection's
 * gateway, and the connection's name where several share it: lib/channels) and, for supervisors and admins, the people whose tasks they
 * see (an admin: everyone; a supervisor: the members of their groups). */
function useFilterChoices(people: boolean, groupIds: string[] | null) {
  const [channels, setChannels] = useState<[string, string][]>([]);
  const [users, setUsers] = useState<[string, string][]>([]);
  useEffect(() => {
    api.channels().then((list) => setChannels(channelChoices(list)
      .map((c): [string, string] => [c.channel_id, c.label])), () => undefined);
    if (!people) return;
    api.users().then((u) => setUsers(u.items
      .filter((x: User) => inScope(x, groupIds))
      .map((x): [string, string] => [x.id, x.full_name])), () => undefined);
  }, [people]);
  return { channels, people: users };
}
