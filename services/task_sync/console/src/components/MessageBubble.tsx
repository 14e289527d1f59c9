import type { CommentView, Reaction } from "../api/types";
import { t } from "../i18n";
import { ours, reactionPreview } from "../lib/reactions";
import { clock, full } from "../lib/time";
import { AttachmentView } from "./AttachmentView";
import { DeliveryTicks } from "./DeliveryTicks";
import { HeldReply } from "./HeldReply";
import { Icon } from "./Icon";
import { MessageText } from "./MessageText";
import { ReactionList, ReactionPicker } from "./Reactions";

interface Props {
  comment: CommentView;
  contactName: string;
  highlighted: boolean;
  canPost: boolean;
  onReply: (comment: CommentView) => void;
  onQuote: (commentId: string) => void;
  onRevisions: (comment: CommentView) => void;
  onResend: (comment: CommentView) => void;
  /** Withdraw a reply held for the customer's return. */
  onCancelHeld: (comment: CommentView) => Promise<void>;
  /** What the message shows under it (reaction comments folded onto it). */
  reactions?: Reaction[];
  /** React to it ("" takes ours back); absent where we cannot react to this message. */
  onReact?: (comment: CommentView, emoji: string) => Promise<void>;
}

/** Who wrote it, as the chat shows it: the customer, a group participant, the bot or a
 * manager by name. */
export function authorOf(comment: CommentView, contactName: string): string {
  switch (comment.author_kind) {
    case "customer":  // the name the manager knows from the directory, else WhatsApp's
      return contactName || comment.sender_name || t("chat.customer");
    case "participant":
      return comment.sender_name || t("chat.customer");
    case "bot":
      return comment.author_name || t("chat.bot");
    default:
      return comment.author_name || comment.sender_name || "";
  }
}

/** One message of the dialogue. Every customer string goes in as text, never as markup. */
export function MessageBubble(props: Props) {
  const { comment: c, contactName, highlighted, canPost, reactions, onReact } = props;
  if (c.author_kind === "system") {
    return (
      <li class="notice" id={`c-${c.id}`} data-comment-id={c.id}>
        <span>{c.text}</span> <time dateTime={c.at} title={full(c.at)}>{clock(c.at)}</time>
      </li>
    );
  }
  const side = c.direction === "in" ? "in" : "out";
  // a reaction whose message is not loaded shows by itself, quoting that message
  const text = c.content_type === "reaction" ? reactionPreview(c.text) ?? c.text
    : c.edited && c.current_text !== null && c.current_text !== undefined ? c.current_text : c.text;
  const shown = <MessageText text={text} contentType={c.content_type} />;
  const author = authorOf(c, contactName);
  const cancelled = c.delivery === "cancelled";
  const held = c.delivery === "held" || cancelled ? ` ${c.delivery}` : "";
  return (
    <li id={`c-${c.id}`} data-comment-id={c.id} data-author-kind={c.author_kind}
        data-delivery={c.delivery ?? undefined}
        class={`msg ${side} kind-${c.author_kind}${held}${highlighted ? " highlight" : ""}${reactions?.length ? " reacted" : ""}`}>
      <article class="bubble" aria-label={`${author}, ${full(c.at)}`}>
        <header class="author">{author}</header>
        {c.reply_to && (
          <button type="button" class="quote" title={t("chat.quoted")}
                  onClick={() => props.onQuote(c.reply_to!.id)}>
            <span class="quote-author">{c.reply_to.author_name ?? ""}</span>
            <span class="quote-text">
              <MessageText text={c.reply_to.text} contentType={c.reply_to.content_type} />
            </span>
          </button>
        )}
        {c.template_id && <p class="template-mark">{t("chat.template", { name: c.template_id })}</p>}
        {cancelled ? <p class="text deleted"><s>{shown}</s></p> : c.deleted
          ? <p class="text deleted"><s>{shown}</s> <em>{t("chat.deletedText")}</em></p>
          : text && <p class="text">{shown}</p>}
        {(c.attachments ?? []).map((a) => <AttachmentView attachment={a} />)}
        <footer class="meta">
          {(c.edited || c.deleted) && !cancelled && (
            <button type="button" class="mark" onClick={() => props.onRevisions(c)}
                    title={t("chat.revisions")}>
              {c.deleted ? t("chat.deleted") : t("chat.edited")}
            </button>
          )}
          <time dateTime={c.at} title={full(c.at)}>{clock(c.at)}</time>
          {c.direction === "out" && c.delivery && <DeliveryTicks delivery={c.delivery} />}
        </footer>
        {!!reactions?.length && (
          <ReactionList reactions={reactions} contactName={contactName}
                        onRemove={onReact && (() => void onReact(c, ""))} />
        )}
        <HeldReply comment={c} canPost={canPost} onCancel={props.onCancelHeld} />
        {c.delivery === "failed" && (
          <p class="failure" role="alert">
            {t("delivery.failedReason", { reason: c.failure_reason || c.failure_code || "?" })}
            {canPost && (
              <button type="button" onClick={() => props.onResend(c)}>{t("delivery.resend")}</button>
            )}
          </p>
        )}
      </article>
      {canPost && !held && (
        <button type="button" class="reply-btn" onClick={() => props.onReply(c)}
                aria-label={`${t("chat.replyTo")}: ${author}`}><Icon name="reply" /></button>
      )}
      {onReact && (
        <ReactionPicker current={ours(reactions)?.emoji} author={author}
                        onPick={(emoji) => onReact(c, emoji)} />
      )}
    </li>
  );
}
