// Reactions as WhatsApp shows them: on the message they react to, never as messages of their
// own. The server folds those of one page (``reactions``); the chat folds the reaction comments
// it holds (newer pages, live ones, its own answers) on top, so the newest of each reactor wins.
import type { CommentView, Reaction } from "../api/types";
import { t } from "../i18n";

/** The emojis a manager picks from; any other stays possible through the API. */
export const COMMON_EMOJI = ["👍", "❤️", "😂", "😮", "😢", "🙏"] as const;

/** Who a reaction is from: each customer or participant by name, and our business number as
 * one (WhatsApp keeps one reaction per sender and message, whoever of us sent it). */
function reactorOf(reaction: Reaction): string {
  return reaction.direction === "out" ? "out" : `in:${reaction.by ?? ""}`;
}

/** The reaction a reaction comment makes ("" takes one back); null for other comments. An
 * answer of the reaction route carries only the text: ``[reaction 👍]``, ``[reaction removed]``. */
export function reactionOf(c: CommentView): Reaction | null {
  if (c.content_type !== "reaction") return null;
  const raw = c.reaction ?? c.text.replace(/^\[reaction\s*/, "").replace(/\]$/, "").trim();
  const by = c.direction === "out" ? c.author_name ?? c.sender_name : c.sender_name ?? c.author_name;
  return { emoji: raw === "removed" ? "" : raw, by: by ?? "", direction: c.direction };
}

export interface Folded {
  /** What the chat lists: every comment but the reactions shown on a loaded message. */
  shown: CommentView[];
  /** What each message shows under it, by its comment id. */
  reactions: Map<string, Reaction[]>;
}

/** ``comments`` (oldest first) with their reactions moved onto the messages they react to. */
export function foldReactions(comments: CommentView[]): Folded {
  const loaded = new Set(comments.map((c) => c.id));
  const byTarget = new Map<string, Map<string, Reaction>>();
  const on = (id: string, start: Reaction[] = []) => {
    let found = byTarget.get(id);
    if (!found) byTarget.set(id, found = new Map(start.map((r) => [reactorOf(r), r])));
    return found;
  };
  const shown: CommentView[] = [];
  for (const c of comments) {
    const reaction = reactionOf(c);
    const target = c.reply_to_comment_id;
    if (!reaction || !target || !loaded.has(target)) {
      shown.push(c);
      if (c.reactions?.length) on(c.id, c.reactions);
      continue;
    }
    const mine = on(target);
    mine.delete(reactorOf(reaction));  // set again last: the newest shows last
    if (reaction.emoji) mine.set(reactorOf(reaction), reaction);
  }
  const reactions = new Map<string, Reaction[]>();
  for (const [id, found] of byTarget) if (found.size) reactions.set(id, [...found.values()]);
  return { shown, reactions };
}

/** The reaction our business number shows on the message, if any. */
export function ours(reactions: Reaction[] | undefined): Reaction | undefined {
  return reactions?.find((r) => r.direction === "out");
}

/** The inbox line of a reaction (the task keeps ``[reaction 👍]``); null for other lines. */
export function reactionPreview(line: string | null | undefined): string | null {
  const found = /^\[reaction(?: (.+))?\]$/.exec(line ?? "");
  if (!found) return null;
  const emoji = found[1] === "removed" ? "" : found[1] ?? "";
  return emoji ? t("inbox.reacted", { emoji }) : t("inbox.unreacted");
}
