import type { ComponentChildren } from "preact";
import { t } from "../../../i18n";
import { Dialog } from "../../Dialog";

/** A question before something that cannot be undone (a modal dialog, not window.confirm). */
export function Confirm({ title, confirm, danger = false, onConfirm, onCancel, children }: {
  title: string; confirm: string; danger?: boolean; onConfirm: () => void; onCancel: () => void;
  children: ComponentChildren;
}) {
  return (
    <Dialog title={title} onClose={onCancel}>
      <form method="dialog" onSubmit={(e) => { e.preventDefault(); onConfirm(); }}>
        <p>{children}</p>
        <div class="row">
          <button type="submit" class={danger ? "primary danger" : "primary"}>{confirm}</button>
          <button type="button" onClick={onCancel}>{t("app.cancel")}</button>
        </div>
      </form>
    </Dialog>
  );
}
