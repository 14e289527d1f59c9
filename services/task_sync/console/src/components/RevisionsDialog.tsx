import { useEffect, useState } from "preact/hooks";
import { ApiError, api } from "../api/client";
import type { CommentView, RevisionList } from "../api/types";
import { t } from "../i18n";
import { full } from "../lib/time";
import { Dialog } from "./Dialog";

/** What the customer's message said first, and each edit or deletion made in WhatsApp. */
export function RevisionsDialog({ comment, onClose }: { comment: CommentView; onClose: () => void }) {
  const [revisions, setRevisions] = useState<RevisionList | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    api.revisions(comment.id).then(setRevisions,
      (exc: unknown) => setProblem(exc instanceof ApiError ? exc.reason : String(exc)));
  }, [comment.id]);
  return (
    <Dialog title={t("chat.revisions")} onClose={onClose}>
      {problem && <p class="error" role="alert">{problem}</p>}
      {revisions && (
        <ol class="revisions">
          <li><strong>{t("chat.original")}</strong><p class="text">{revisions.original_text}</p></li>
          {revisions.items.map((r) => (
            <li>
              <strong>{t(r.kind === "edited" ? "chat.revEdited" : "chat.revDeleted")}</strong>{" "}
              <time dateTime={r.at}>{full(r.at)}</time>
              {r.text && <p class="text">{r.text}</p>}
            </li>
          ))}
        </ol>
      )}
    </Dialog>
  );
}
