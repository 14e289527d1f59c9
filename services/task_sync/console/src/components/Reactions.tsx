import { useEffect, useRef, useState } from "preact/hooks";
import type { Reaction } from "../api/types";
import { t } from "../i18n";
import { COMMON_EMOJI } from "../lib/reactions";
import { Icon } from "./Icon";

const ROOM_ABOVE_PX = 56;

/** The reactions a message shows under it; ours is a button that takes it back. */
export function ReactionList({ reactions, contactName, onRemove }: {
  reactions: Reaction[];
  contactName: string;
  onRemove?: () => void;
}) {
  return (
    <ul class="reactions" aria-label={t("chat.reactions")}>
      {reactions.map((r) => {
        const ours = r.direction === "out";
        const name = r.by || (ours ? t("react.us") : contactName || t("chat.customer"));
        return (
          <li key={`${r.direction ?? ""}:${r.by ?? ""}`} data-reaction={r.emoji}
              data-from={ours ? "out" : "in"}>
            {ours && onRemove ? (
              <button type="button" class="reaction ours" onClick={onRemove}
                      title={t("react.ours", { emoji: r.emoji, name })}
                      aria-label={t("react.ours", { emoji: r.emoji, name })}>{r.emoji}</button>
            ) : (
              <span class={`reaction${ours ? " ours" : ""}`} role="img" title={name}
                    aria-label={t("react.by", { emoji: r.emoji, name })}>{r.emoji}</span>
            )}
          </li>
        );
      })}
    </ul>
  );
}

/** A small bar of common emojis for a customer's message: one tap reacts, tapping our current
 * one takes it back. Arrow keys move along the bar, Escape closes it. */
export function ReactionPicker({ current, author, onPick }: {
  current: string | undefined;
  author: string;
  onPick: (emoji: string) => Promise<void>;
}) {
  const [open, setOpen] = useState(false);
  const [below, setBelow] = useState(false);
  const [busy, setBusy] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const bar = useRef<HTMLDivElement>(null);
  const at = Math.max(0, COMMON_EMOJI.findIndex((e) => e === current));

  useEffect(() => {
    if (!open) return;
    bar.current?.querySelectorAll("button")[at]?.focus();
    const outside = (event: PointerEvent) => {
      if (!box.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", outside);
    return () => document.removeEventListener("pointerdown", outside);
  }, [open]);

  const toggle = () => {
    // near the top of the chat there is no room above the message: open below it
    const scroller = trigger.current?.closest(".messages")?.getBoundingClientRect();
    const here = trigger.current?.closest(".msg")?.getBoundingClientRect();
    setBelow(!!scroller && !!here && here.top - scroller.top < ROOM_ABOVE_PX);
    setOpen(!open);
  };
  const close = () => {
    setOpen(false);
    trigger.current?.focus();
  };
  const pick = async (emoji: string) => {
    setBusy(true);
    try {
      await onPick(emoji === current ? "" : emoji);
    } finally {
      setBusy(false);
      close();
    }
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Escape") {
      event.preventDefault();
      close();
      return;
    }
    const buttons = Array.from(bar.current?.querySelectorAll("button") ?? []);
    const now = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const step: Record<string, number> = { ArrowRight: now + 1, ArrowLeft: now - 1, Home: 0,
      End: buttons.length - 1 };
    if (!(event.key in step)) return;
    event.preventDefault();
    buttons[(step[event.key]! + buttons.length) % buttons.length]?.focus();
  };

  return (
    <div class="react" ref={box}
         onFocusOut={(e) => {
           const next = e.relatedTarget as Node | null;
           if (next && !box.current?.contains(next)) setOpen(false);
         }}>
      <button ref={trigger} type="button" class="react-btn" aria-haspopup="true"
              aria-expanded={open} onClick={toggle}
              aria-label={t("react.open", { name: author })} title={t("react.open", { name: author })}>
        <Icon name="smile" />
      </button>
      {open && (
        <div ref={bar} class={`react-picker${below ? " below" : ""}`} role="toolbar"
             aria-label={t("react.picker")} onKeyDown={onKeyDown}>
          {COMMON_EMOJI.map((emoji, i) => (
            <button type="button" aria-pressed={emoji === current} disabled={busy}
                    tabIndex={i === at ? 0 : -1} onClick={() => void pick(emoji)}
                    aria-label={t(emoji === current ? "react.remove" : "react.with", { emoji })}
                    title={t(emoji === current ? "react.remove" : "react.with", { emoji })}>
              {emoji}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
