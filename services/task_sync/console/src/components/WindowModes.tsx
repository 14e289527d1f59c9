import type { ComponentChildren } from "preact";
import { t } from "../i18n";
import "./desk.css";

export type WindowMode = "hold" | "template";

/** The composer once the 24-hour window closed: "send when they return" (free text held
 * until the customer writes) or a template (which may go now). */
export function WindowModes({ mode, onMode, children }: {
  mode: WindowMode; onMode: (mode: WindowMode) => void; children: ComponentChildren;
}) {
  return (
    <div class="closed-window" data-window-mode={mode}>
      <div class="modes" role="group" aria-label={t("held.modes")}>
        {(["hold", "template"] as const).map((m) => (
          <button type="button" aria-pressed={mode === m} onClick={() => onMode(m)}>
            {t(m === "hold" ? "held.modeHold" : "held.modeTemplate")}
          </button>
        ))}
      </div>
      {children}
    </div>
  );
}
