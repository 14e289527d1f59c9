import type { FlowProblem, FlowSet } from "../../../api/flows";
import { t, type Key } from "../../../i18n";
import { ChipInput } from "./ChipInput";
import { ProblemsAt } from "./Problems";

type TextField = "handover_text" | "repeat_text" | "closed_text" | "closed_handover_text";

/** What applies to the whole flow: navigation words, what an unmatched message does, texts. */
export function SetSettings({ flow, onChange, problems, readOnly }: {
  flow: FlowSet; onChange: (next: FlowSet) => void; problems: FlowProblem[]; readOnly: boolean;
}) {
  const nav = flow.navigation ?? { back: ["0"], main: ["меню", "#"] };
  const text = (field: TextField) => (
    <div class="field">
      <label for={`f-set-${field}`}>{t(`flows.set.${field}` as Key)}</label>
      <textarea id={`f-set-${field}`} rows={2} disabled={readOnly} value={flow[field] ?? ""}
                aria-describedby={`f-set-${field}-hint`}
                onInput={(e) => onChange({ ...flow, [field]: e.currentTarget.value })} />
      <small id={`f-set-${field}-hint`} class="hint">{t(`flows.set.${field}Hint` as Key)}</small>
    </div>
  );
  return (
    <form class="node-form" aria-labelledby="set-form-title" onSubmit={(e) => e.preventDefault()}>
      <header class="node-form-head"><h2 id="set-form-title">{t("flows.settings")}</h2></header>
      <ProblemsAt problems={problems} root={flow.root} />
      <fieldset>
        <legend>{t("flows.set.navigation")}</legend>
        <ChipInput id="f-set-back" label={t("flows.set.back")} values={nav.back} disabled={readOnly}
                   onChange={(back) => onChange({ ...flow, navigation: { ...nav, back } })} />
        <ChipInput id="f-set-main" label={t("flows.set.main")} values={nav.main} disabled={readOnly}
                   onChange={(main) => onChange({ ...flow, navigation: { ...nav, main } })} />
      </fieldset>
      <div class="field">
        <label for="f-set-unmatched">{t("flows.set.unmatched")}</label>
        <select id="f-set-unmatched" disabled={readOnly} value={flow.unmatched ?? "hand_over"}
                onChange={(e) => onChange({ ...flow,
                  unmatched: e.currentTarget.value as "hand_over" | "repeat" })}>
          <option value="hand_over">{t("flows.set.unmatchedHandOver")}</option>
          <option value="repeat">{t("flows.set.unmatchedRepeat")}</option>
        </select>
      </div>
      {(flow.unmatched ?? "hand_over") === "hand_over" ? text("handover_text") : text("repeat_text")}
      {text("closed_text")}
      {text("closed_handover_text")}
    </form>
  );
}
