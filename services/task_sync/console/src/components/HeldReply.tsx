import { useState } from "preact/hooks";
import type { CommentView } from "../api/types";
import { t } from "../i18n";
import { Icon } from "./Icon";
import "./desk.css";

/** Under a reply held for the customer's return: what will happen, and Cancel (confirmed);
 * under a cancelled one: that it never went. */
export function HeldReply({ comment, canPost, onCancel }: {
  comment: CommentView; canPost: boolean; onCancel: (c: CommentView) => Promise<void>;
}) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  if (comment.delivery === "cancelled") {
    return <p class="cancelled-state" data-testid="cancelled-state">{t("held.cancelled")}</p>;
  }
  if (comment.delivery !== "held") return null;
  const cancel = async () => {
    setBusy(true);
    try {
      await onCancel(comment);
    } finally {
      setBusy(false);
      setAsking(false);
    }
  };
  return (
    <div class="held-state" data-testid="held-state">
      <Icon name="clock" />
      <span>{t("held.note")}</span>
      {canPost && !asking && (
        <button type="button" onClick={() => setAsking(true)}>{t("held.cancel")}</button>
      )}
      {canPost && asking && (
        <span class="held-confirm" role="group" aria-label={t("held.confirm")}>
          <span>{t("held.confirm")}</span>
          <button type="button" class="danger" disabled={busy}
                  onClick={() => void cancel()}>{t("held.confirmYes")}</button>
          <button type="button" disabled={busy}
                  onClick={() => setAsking(false)}>{t("held.confirmNo")}</button>
        </span>
      )}
    </div>
  );
}
