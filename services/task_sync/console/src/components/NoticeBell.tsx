import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api/client";
import { onLive } from "../api/events";
import type { Notice } from "../api/types";
import { t, type Key } from "../i18n";
import { navigate, taskPath } from "../lib/router";
import { useStore } from "../lib/store";
import { full, short } from "../lib/time";
import { session } from "../state";
import "./desk.css";

const KINDS = new Set(["task.forwarded", "sla.breached", "window.closing"]);

function BellIcon() {
  return (
    <svg class="icon" viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor"
         stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
      <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9M10.3 21a1.9 1.9 0 0 0 3.4 0" />
    </svg>
  );
}

/** The top bar's bell: my notices (forwarded tasks, missed deadlines, closing windows) with
 * the unread count, live through ``notice`` events; read one by one or all at once. */
export function NoticeBell() {
  const me = useStore(session)!;
  const [items, setItems] = useState<Notice[]>([]);
  const [unread, setUnread] = useState(0);
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);

  const load = () => api.notices().then((list) => {
    setItems(list.items);
    setUnread(list.unread);
  }, () => undefined);

  useEffect(() => {
    void load();
    let timer: number | undefined;
    const off = onLive((event) => {
      if (event.type !== "notice" && event.type !== "reset") return;
      window.clearTimeout(timer);
      timer = window.setTimeout(() => void load(), 200);
    });
    return () => {
      off();
      window.clearTimeout(timer);
    };
  }, []);

  useEffect(() => {
    if (!open) return;
    const away = (event: Event) => {
      if (box.current && !box.current.contains(event.target as Node)) setOpen(false);
    };
    const escape = (event: KeyboardEvent) => { if (event.key === "Escape") setOpen(false); };
    document.addEventListener("mousedown", away);
    document.addEventListener("keydown", escape);
    return () => {
      document.removeEventListener("mousedown", away);
      document.removeEventListener("keydown", escape);
    };
  }, [open]);

  const markRead = async (ids: string[] | "all") => {
    setItems((old) => old.map((n) => (ids === "all" || ids.includes(n.id) ? { ...n, read: true } : n)));
    setUnread((n) => (ids === "all" ? 0 : Math.max(0, n - ids.length)));
    try {
      await api.markNoticesRead(ids);
    } finally {
      void load();
    }
  };
  const toTask = (notice: Notice) => {
    if (!notice.read) void markRead([notice.id]);
    setOpen(false);
    navigate(taskPath(notice.task_id, me.role === "manager" ? "mine" : "all"));
  };

  return (
    <div class="bell" ref={box}>
      <button type="button" aria-expanded={open} aria-haspopup="true" data-testid="notices-bell"
              aria-label={t("notices.open", { n: unread })} title={t("notices.label")}
              onClick={() => setOpen(!open)}>
        <BellIcon />
        {unread > 0 && <span class="bell-count" data-testid="notices-unread">{unread}</span>}
      </button>
      {open && (
        <section class="notices" aria-label={t("notices.label")} data-testid="notices">
          <header>
            <h2>{t("notices.label")}</h2>
            {unread > 0 && (
              <button type="button" class="link" onClick={() => void markRead("all")}>
                {t("notices.markAll")}
              </button>
            )}
          </header>
          {!items.length && <p class="empty">{t("notices.empty")}</p>}
          <ol>
            {items.map((n) => (
              <li class={n.read ? "read" : "unread"} data-notice-id={n.id} data-kind={n.kind}>
                <span class="notice-kind">
                  {t((KINDS.has(n.kind) ? `notices.kind.${n.kind}` : "notices.kind.other") as Key)}
                </span>
                <span class="notice-text">{n.text}</span>
                <span class="notice-foot">
                  <time dateTime={n.at} title={full(n.at)}>{short(n.at)}</time>
                  <a href={taskPath(n.task_id, "mine")}
                     onClick={(e) => { e.preventDefault(); toTask(n); }}>{t("notices.toTask")}</a>
                  {!n.read && (
                    <button type="button" class="link" onClick={() => void markRead([n.id])}>
                      {t("notices.markRead")}
                    </button>
                  )}
                </span>
              </li>
            ))}
          </ol>
        </section>
      )}
    </div>
  );
}
