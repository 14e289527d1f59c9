import { useState } from "preact/hooks";
import { t } from "../../../i18n";
import { Dialog } from "../../Dialog";

/** Publishing asks for a note (what changed); unsaved edits are saved first. */
export function PublishDialog({ dirty, onPublish, onCancel }: {
  dirty: boolean; onPublish: (note: string) => Promise<void>; onCancel: () => void;
}) {
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      await onPublish(note.trim());
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={t("flows.publishTitle")} onClose={onCancel}>
      <form onSubmit={submit}>
        <p class="hint">{t("flows.publishHint")}</p>
        {dirty && <p class="warn">{t("flows.publishSavesFirst")}</p>}
        <label>{t("flows.publishNote")}
          <textarea rows={3} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
        </label>
        <div class="row">
          <button type="submit" class="primary" disabled={busy}>{t("flows.publish")}</button>
          <button type="button" onClick={onCancel}>{t("app.cancel")}</button>
        </div>
      </form>
    </Dialog>
  );
}
