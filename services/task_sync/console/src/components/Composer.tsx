import { useRef, useState } from "preact/hooks";
import { ApiError, api } from "../api/client";
import type { CommentView, TaskDetail } from "../api/types";
import { t } from "../i18n";
import { errorText } from "../lib/errors";
import { ALLOWED_TYPES, size } from "../lib/files";
import { useStore } from "../lib/store";
import { timeLeft } from "../lib/time";
import { session } from "../state";
import { Icon } from "./Icon";
import { authorOf } from "./MessageBubble";
import { MessageText } from "./MessageText";
import { statusesOf } from "./TaskCard";
import { TemplateComposer } from "./TemplateComposer";
import { WindowModes, type WindowMode } from "./WindowModes";

const WORKING_CHANNEL = new Set(["active", "ok", "connected", "authenticated", "init", "working"]);

interface Props {
  task: TaskDetail;
  replyTo: CommentView | null;
  contactName: string;
  files: File[];
  refused: string[];
  onCancelReply: () => void;
  onFiles: (files: FileList | File[] | null | undefined) => void;
  onRemoveFile: (file: File) => void;
  onSent: (comment: CommentView) => void;
  /** The server refused for a reason the task's state explains: look at the task again. */
  onRefused: () => void;
}

function newKey(): string {
  return typeof crypto.randomUUID === "function" ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/** Why nothing can be sent now, and what to do; null when the manager may write. */
export function blocker(task: TaskDetail): "closed" | "notYours" | "window" | null {
  if (task.permissions?.reopen || task.status === statusesOf(task).closed) return "closed";
  if (!task.permissions?.post) return "notYours";
  if (task.window?.applies && !task.window.open) return "window";
  return null;
}

export function Composer(props: Props) {
  const { task, replyTo, files } = props;
  const me = useStore(session)!;
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [mode, setMode] = useState<WindowMode>("hold");
  const key = useRef(newKey());
  const picker = useRef<HTMLInputElement>(null);
  const why = blocker(task);
  const lastTyping = useRef(0);
  /** "typing…" in the customer's chat, at most every 5 s. */
  const typing = () => {
    if (why === "window" || !task.gateway?.typing || Date.now() - lastTyping.current < 5000) return;
    lastTyping.current = Date.now();
    api.typing(task.id).catch(() => undefined);
  };

  if (why === "closed" || why === "notYours") {
    return (
      <div class="composer composer-blocked" role="status" data-blocked={why}>
        <p>{t(why === "closed" ? "composer.closed" : "composer.notYours")}</p>
      </div>
    );
  }
  const hold = why === "window";
  if (hold && mode === "template") {
    return (
      <WindowModes mode={mode} onMode={setMode}>
        <TemplateComposer task={task} onSent={props.onSent} />
      </WindowModes>
    );
  }

  const send = async () => {
    if (busy) return;
    if (!text.trim() && !files.length) {
      setProblem(t("composer.empty"));
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const sent = text;
      const posted = await api.postComment(task.id, sent, replyTo?.id ?? null, files, key.current,
        hold);
      key.current = newKey();
      // the stream may have shown it before this answer, and the next one be typed already
      setText((now) => (now === sent ? "" : now));
      props.onSent(posted);
    } catch (exc) {
      setProblem(t("composer.failed", { reason: errorText(exc) }));
      if (exc instanceof ApiError && ["window_closed", "task_closed", "post_not_allowed"].includes(exc.code)) {
        props.onRefused();
      }
    } finally {
      setBusy(false);
    }
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      void send();
    }
  };
  const onPaste = (event: ClipboardEvent) => {
    const pasted = event.clipboardData?.files;
    if (pasted && pasted.length) {
      event.preventDefault();
      props.onFiles(pasted);
    }
  };

  const channel = task.channel;
  const down = channel && channel.state && !WORKING_CHANNEL.has(channel.state);
  const left = task.window?.applies ? timeLeft(task.window.expires_at) : null;
  const form = (
    <form class="composer" aria-label={t("composer.label")} data-hold={hold ? "true" : undefined}
          onSubmit={(e) => { e.preventDefault(); void send(); }}>
      {down && <p class="warn" role="status">{t("composer.channelDown", { provider: channel.provider, state: channel.state })}</p>}
      {hold && <p class="warn held-explain" role="status" data-testid="held-explain">{t("held.explain")}</p>}
      {left && <p class="window-left" data-testid="window-left">{t("composer.windowLeft", { left })}</p>}
      {replyTo && (
        <div class="replying" data-reply-to={replyTo.id}>
          <span>{t("composer.replyingTo", { name: authorOf(replyTo, props.contactName) })}</span>
          <q><MessageText text={(replyTo.current_text ?? replyTo.text).slice(0, 200)}
                           contentType={replyTo.content_type} /></q>
          <button type="button" class="link" onClick={props.onCancelReply}
                  aria-label={t("composer.cancelReply")}>✕</button>
        </div>
      )}
      {!!files.length && (
        <ul class="picked">
          {files.map((f) => (
            <li>
              <span>{f.name}</span> <span class="file-size">{size(f.size)}</span>
              <button type="button" class="link" onClick={() => props.onRemoveFile(f)}
                      aria-label={t("file.remove", { name: f.name })}>✕</button>
            </li>
          ))}
        </ul>
      )}
      {props.refused.map((r) => <p class="error" role="alert">{r}</p>)}
      {(text.trim() || files.length > 0) && (
        <figure class="preview" aria-label={t("composer.preview")}>
          <figcaption>{t("composer.preview")}</figcaption>
          <div class="preview-bubble">
            {text.trim() && <p><strong>{me.full_name}</strong>:</p>}
            {text.trim() && <p class="text">{text}</p>}
            {files.map((f) => <p class="file-doc"><Icon name="doc" /> {f.name}</p>)}
          </div>
        </figure>
      )}
      <div class="compose-row">
        <button type="button" class="attach" onClick={() => picker.current?.click()}
                aria-label={t("composer.attach")} title={t("composer.attach")}><Icon name="clip" /></button>
        <input ref={picker} type="file" multiple hidden accept={[...ALLOWED_TYPES].join(",")}
               data-testid="file-input"
               onChange={(e) => { props.onFiles(e.currentTarget.files); e.currentTarget.value = ""; }} />
        <textarea value={text} rows={2} placeholder={t("composer.placeholder")}
                  aria-label={t("composer.label")} onKeyDown={onKeyDown} onPaste={onPaste}
                  onInput={(e) => { setText(e.currentTarget.value); setProblem(null); typing(); }} />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t("composer.sending") : t(hold ? "held.send" : "composer.send")}
        </button>
      </div>
      {problem && <p class="error" role="alert">{problem}</p>}
    </form>
  );
  return hold ? <WindowModes mode={mode} onMode={setMode}>{form}</WindowModes> : form;
}
