import { Fragment } from "preact";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { ApiError, api } from "../api/client";
import { onLive } from "../api/events";
import type { CommentPatch, CommentView, TaskDetail } from "../api/types";
import { t } from "../i18n";
import { checkFiles } from "../lib/files";
import { foldReactions } from "../lib/reactions";
import { dayTitle, sameDay } from "../lib/time";
import { markRead, openTaskId, refreshCounts } from "../state";
import { Composer } from "./Composer";
import { MessageBubble, authorOf } from "./MessageBubble";
import { RevisionsDialog } from "./RevisionsDialog";
import { TaskCard } from "./TaskCard";
import { link } from "../lib/router";

const NEAR_BOTTOM_PX = 120;
/** The gateways that carry a manager's reaction to WhatsApp (``reactions_out``). */

export function ChatView({ taskId, view }: { taskId: string; view: string }) {
  const [task, setTask] = useState<TaskDetail | null>(null);
  const [comments, setComments] = useState<CommentView[]>([]);
  const [hasMore, setHasMore] = useState(false);
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [replyTo, setReplyTo] = useState<CommentView | null>(null);
  const [files, setFiles] = useState<File[]>([]);
  const [refused, setRefused] = useState<string[]>([]);
  const [dragging, setDragging] = useState(false);
  const [highlight, setHighlight] = useState<string | null>(null);
  const [revisionsOf, setRevisionsOf] = useState<CommentView | null>(null);
  const [newBelow, setNewBelow] = useState(false);
  const [detailsOpen, setDetailsOpen] = useState(false);
  const detailsToggle = useRef<HTMLButtonElement>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  const keepFromBottom = useRef<number | null>(null);
  const windowClosed = useRef(false);
  windowClosed.current = !!task?.window?.applies && !task.window.open;

  const reloadTask = async () => {
    try {
      setTask(await api.task(taskId));
    } catch (exc) {
      if (exc instanceof ApiError && exc.status === 404) setMissing(true);
      else setError(exc instanceof Error ? exc.message : String(exc));
    }
  };
  const seen = () => {
    markRead(taskId);
    if (document.visibilityState !== "visible") return;
    api.markSeen(taskId).then(() => refreshCounts(), () => undefined);
    api.readInChat(taskId).catch(() => undefined);
  };

  useEffect(() => {
    openTaskId.set(taskId);
    void reloadTask();
    api.comments(taskId).then((page) => {
      setComments(page.items);
      setHasMore(!!page.has_more);
      seen();
    }, (exc: unknown) => {
      if (exc instanceof ApiError && exc.status === 404) setMissing(true);
      else setError(exc instanceof Error ? exc.message : String(exc));
    });
    return () => openTaskId.set(null);
  }, [taskId]);

  useEffect(() => onLive((event) => {
    if (event.type === "reset") {
      void reloadTask();
      api.comments(taskId).then((page) => {
        setComments(page.items);
        setHasMore(!!page.has_more);
      }, () => undefined);
      return;
    }
    if (event.task_id !== taskId) return;
    if (event.type === "comment.added") {
      setComments((old) => upsert(old, event.comment));
      // the card's last activity follows the newest message, as the server's stamp does (a
      // history note is none)
      if (event.comment.content_type !== "notice") {
        setTask((old) => old && { ...old, last_activity_at: later(old.last_activity_at, event.comment.at) });
      }
      if (event.comment.direction === "in") seen();
      // the customer wrote: the 24-hour window opens again, and the composer with it
      if (event.comment.direction === "in" && windowClosed.current) void reloadTask();
      // a reaction shows on its (older) message: nothing new below
      if (!stickToBottom.current && event.comment.content_type !== "reaction") setNewBelow(true);
    } else if (event.type === "comment.updated") {
      setComments((old) => patch(old, event));
    } else {
      void reloadTask();
    }
  }), [taskId]);

  // the card over the chat (a narrower screen) hides on Escape, the keyboard back on its toggle
  const hideDetails = () => {
    setDetailsOpen(false);
    if (detailsToggle.current?.offsetParent) detailsToggle.current.focus();
  };
  useEffect(() => {
    if (!detailsOpen) return;
    const onKey = (e: KeyboardEvent) => {
      // a dialog above it (its own Escape) or a picker that took the key comes first
      if (e.key !== "Escape" || e.defaultPrevented || document.querySelector("dialog[open]")) return;
      hideDetails();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [detailsOpen]);

  // new messages keep the view at the bottom; older pages keep the reader where they were
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    if (keepFromBottom.current !== null) {
      el.scrollTop = el.scrollHeight - keepFromBottom.current;
      keepFromBottom.current = null;
    } else if (stickToBottom.current) {
      el.scrollTop = el.scrollHeight;
    }
  }, [comments]);

  // images arriving and the composer growing change the height: stay at the bottom if there
  useEffect(() => {
    const el = scroller.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const keep = new ResizeObserver(() => {
      if (stickToBottom.current) el.scrollTop = el.scrollHeight;
    });
    keep.observe(el);
    if (el.firstElementChild) keep.observe(el.querySelector(".msgs") ?? el.firstElementChild);
    return () => keep.disconnect();
  }, [missing]);

  const onScroll = () => {
    const el = scroller.current!;
    stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX;
    if (stickToBottom.current) setNewBelow(false);
  };

  const loadOlder = async (): Promise<boolean> => {
    if (!hasMore || !comments.length) return false;
    const page = await api.comments(taskId, comments[0]!.order);
    const el = scroller.current;
    keepFromBottom.current = el ? el.scrollHeight - el.scrollTop : null;
    setComments((old) => [...page.items.filter((c) => !old.some((o) => o.id === c.id)), ...old]);
    setHasMore(!!page.has_more);
    return page.items.length > 0;
  };

  const goToQuote = async (commentId: string) => {
    for (let pages = 0; pages < 20; pages++) {
      const el = document.getElementById(`c-${commentId}`);
      if (el) {
        el.scrollIntoView({ block: "center", behavior: "smooth" });
        setHighlight(commentId);
        window.setTimeout(() => setHighlight((h) => (h === commentId ? null : h)), 2000);
        (el.querySelector(".bubble") as HTMLElement | null)?.focus?.();
        return;
      }
      if (!(await loadOlder())) break;
      await new Promise((r) => requestAnimationFrame(r));
    }
    setError(t("chat.quoteMissing"));
  };

  const resend = async (c: CommentView) => {
    const replace = (next: CommentView) =>
      setComments((old) => old.map((o) => (o.id === next.id ? { ...o, ...next } : o)));
    replace({ ...c, delivery: "queued", failure_reason: null, failure_code: null });
    try {
      // the stream may already have said "sent": the answer must not step back from it
      const again = await api.resend(taskId, c.id);
      setComments((old) => upsert(old, again));
    } catch (exc) {
      setError(exc instanceof Error ? exc.message : String(exc));
      replace(c);
    }
  };

  const cancelHeld = async (c: CommentView) => {
    try {
      const cancelled = await api.cancelHeld(taskId, c.id);
      setComments((old) => upsert(old, { ...c, ...cancelled }));
    } catch (exc) {
      setError(exc instanceof ApiError ? exc.reason : String(exc));
      // it went out meanwhile (409), or is gone: show what the server has now
      api.comments(taskId).then((page) => setComments((old) =>
        page.items.reduce(upsert, old)), () => undefined);
    }
  };

  /** Our reaction to a customer's message ("" takes it back); it shows once stored. */
  const react = async (c: CommentView, emoji: string) => {
    try {
      const made = emoji ? await api.react(taskId, c.id, emoji) : await api.unreact(taskId, c.id);
      setComments((old) => upsert(old, made));
    } catch (exc) {
      setError(exc instanceof ApiError ? exc.reason : String(exc));
    }
  };

  const addFiles = (list: FileList | File[] | null | undefined) => {
    if (!list || !list.length) return;
    const { ok, refused: no } = checkFiles(Array.from(list), files.length);
    setFiles((old) => [...old, ...ok]);
    setRefused(no);
  };

  if (missing) {
    return (
      <section class="chat chat-empty" aria-label={t("chat.label")}>
        <p role="alert" data-testid="task-missing">{t("chat.notFound")}</p>
        <a href={`/inbox/${view}`} onClick={link(`/inbox/${view}`)}>{t("app.toInbox")}</a>
      </section>
    );
  }

  // the directory's name of the customer; their WhatsApp name or phone when they have none
  const contactName = task?.contact?.name ?? task?.contact_name ?? "";
  const byId = new Map(comments.map((c) => [c.id, c]));
  const canPost = !!task?.permissions?.post;
  const canReact = canPost && !!task?.gateway?.reactions;
  // reactions show on their message, as in WhatsApp, not as messages of their own
  const { shown, reactions } = foldReactions(comments);
  return (
    <>
      <section class={`chat${dragging ? " dragging" : ""}`} aria-label={t("chat.label")}
               onDragOver={(e) => { if (canPost) { e.preventDefault(); setDragging(true); } }}
               onDragLeave={(e) => { if (e.currentTarget === e.target) setDragging(false); }}
               onDrop={(e) => { e.preventDefault(); setDragging(false); if (canPost) addFiles(e.dataTransfer?.files); }}>
        <header class="chat-head">
          <a class="back" href={`/inbox/${view}`} onClick={link(`/inbox/${view}`)}
             aria-label={t("chat.back")}>←</a>
          <h2>{contactName || (task?.phone ? `+${task.phone}` : task?.title)}</h2>
          <span class="chat-sub">{task?.status}</span>
          <button type="button" class="details-toggle" ref={detailsToggle} aria-expanded={detailsOpen}
                  aria-controls="task-card" onClick={() => setDetailsOpen(!detailsOpen)}>{t("chat.details")}</button>
        </header>
        <div class="messages" ref={scroller} onScroll={onScroll} tabIndex={0}
             role="log" aria-live="polite" aria-label={t("chat.label")}>
          {hasMore && (
            <button type="button" class="more" onClick={() => void loadOlder()}>{t("chat.older")}</button>
          )}
          <ol class="msgs">
            {shown.map((c, i) => (
              <Fragment key={c.id}>
                {(i === 0 || !sameDay(shown[i - 1]!.at, c.at)) && (
                  <li class="day" role="separator"><span>{dayTitle(c.at)}</span></li>
                )}
                <MessageBubble comment={withQuote(c, byId, contactName)} contactName={contactName} highlighted={highlight === c.id}
                               canPost={canPost} onReply={setReplyTo} onQuote={goToQuote}
                               onRevisions={setRevisionsOf} onResend={resend}
                               onCancelHeld={cancelHeld} reactions={reactions.get(c.id)}
                               onReact={canReact && reactable(c) ? react : undefined} />
              </Fragment>
            ))}
          </ol>
        </div>
        {newBelow && (
          <button type="button" class="new-below" onClick={() => {
            stickToBottom.current = true;
            setNewBelow(false);
            scroller.current?.scrollTo({ top: scroller.current.scrollHeight });
          }}>{t("chat.newBelow")}</button>
        )}
        {dragging && <div class="drop-hint" aria-hidden="true">{t("chat.drop")}</div>}
        {error && (
          <p class="error" role="alert">
            {t("app.error", { reason: error })}
            <button type="button" class="link" onClick={() => setError(null)}>{t("app.close")}</button>
          </p>
        )}
        {task && (
          <Composer task={task} replyTo={replyTo} contactName={contactName}
                    onCancelReply={() => setReplyTo(null)} files={files} refused={refused}
                    onFiles={addFiles} onRemoveFile={(f) => setFiles((old) => old.filter((o) => o !== f))}
                    onSent={(c) => {
                      stickToBottom.current = true;
                      setComments((old) => upsert(old, c));
                      setReplyTo(null);
                      setFiles([]);
                      setRefused([]);
                    }}
                    onRefused={() => void reloadTask()} />
        )}
      </section>
      {task && <TaskCard task={task} open={detailsOpen} onChanged={reloadTask} onHide={hideDetails} />}
      {revisionsOf && <RevisionsDialog comment={revisionsOf} onClose={() => setRevisionsOf(null)} />}
    </>
  );
}

/** The quoted snippet, its author named as the chat names them (customers' comments are
 * the robot user's in the task system); the server's snippet when the original is not loaded. */
function withQuote(c: CommentView, byId: Map<string, CommentView>, contactName: string): CommentView {
  if (!c.reply_to_comment_id) return c;
  const quoted = byId.get(c.reply_to_comment_id);
  if (!quoted) {
    return c.reply_to ? c : { ...c, reply_to: { id: c.reply_to_comment_id, author_name: null, text: "…" } };
  }
  return { ...c, reply_to: { id: quoted.id, author_name: authorOf(quoted, contactName),
    text: (c.reply_to?.text ?? (quoted.current_text ?? quoted.text)).slice(0, 200),
    content_type: quoted.content_type } };
}

/** The later of two instants (an absent one is earlier than any). */
function later(a: string | null | undefined, b: string): string {
  return a && Date.parse(a) >= Date.parse(b) ? a : b;
}

/** A customer's message in WhatsApp (not a reaction, notice or deleted one). */
function reactable(c: CommentView): boolean {
  return c.direction === "in" && !!c.gateway_message_id && !c.deleted
    && c.content_type !== "reaction" && c.author_kind !== "system";
}

const RANK: Record<string, number> = {
  queued: 0, waiting: 0, held: 0, sent: 1, delivered: 2, read: 3, played: 3, failed: 4,
  cancelled: 5,
};

/** The newer of two views of one comment: a live event and an API answer may cross, so the
 * delivery status never steps back and no attachment is forgotten. */
export function merged(old: CommentView, incoming: CommentView): CommentView {
  const out = { ...old, ...incoming };
  if (RANK[old.delivery ?? ""] > RANK[incoming.delivery ?? ""]) {
    out.delivery = old.delivery;
    out.failure_reason = old.failure_reason;
    out.failure_code = old.failure_code;
  }
  const files = new Map((old.attachments ?? []).map((a) => [a.id, a]));
  for (const a of incoming.attachments ?? []) files.set(a.id, a);
  out.attachments = [...files.values()];
  out.reply_to = incoming.reply_to ?? old.reply_to;
  out.reactions = incoming.reactions ?? old.reactions;
  return out;
}

function upsert(list: CommentView[], comment: CommentView): CommentView[] {
  const at = list.findIndex((c) => c.id === comment.id);
  if (at >= 0) {
    const copy = list.slice();
    copy[at] = merged(list[at]!, comment);
    return copy;
  }
  const copy = [...list, comment];
  copy.sort((a, b) => a.order - b.order);
  return copy;
}

function patch(list: CommentView[], change: CommentPatch): CommentView[] {
  return list.map((c) => {
    if (c.id !== change.comment_id) return c;
    const { task_id: _t, comment_id: _c, attachment, ...fields } = change;
    // a released reply's "queued" may arrive after its "sent": delivery never steps back
    if (fields.delivery && RANK[c.delivery ?? ""]! > RANK[fields.delivery]!) {
      delete fields.delivery;
    }
    const next: CommentView = { ...c };
    for (const [key, value] of Object.entries(fields)) {
      if (key !== "type" && value !== undefined) (next as unknown as Record<string, unknown>)[key] = value;
    }
    if (attachment) {
      const others = (c.attachments ?? []).filter((a) => a.id !== attachment.id);
      next.attachments = [...others, attachment].sort((a, b) => a.id.localeCompare(b.id));
    }
    return next;
  });
}
