import { useState } from "preact/hooks";
import { t } from "../../i18n";
import { Dialog } from "../Dialog";

/** Asks before a risky admin action: ``question`` and two buttons, the action's (``confirm``)
 * and Cancel, which is where the keyboard starts. The dialog closes either way; the action's
 * failure shows on its page. */
export function Confirm({ title, question, confirm, onConfirm, onClose }: {
  title: string; question: string; confirm: string;
  onConfirm: () => Promise<unknown>; onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const go = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      await onConfirm();
    } finally {
      setBusy(false);
      onClose();
    }
  };
  return (
    <Dialog title={title} onClose={onClose}>
      <form onSubmit={go} data-testid="confirm">
        <p>{question}</p>
        <div class="row">
          <button type="submit" class="danger" disabled={busy}>{confirm}</button>
          <button type="button" autoFocus onClick={onClose}>{t("app.cancel")}</button>
        </div>
      </form>
    </Dialog>
  );
}
