import { useRef, useState } from "preact/hooks";
import { ApiError } from "../../../api/client";
import { flowsApi } from "../../../api/flows";
import type {
  FlowNode, FlowProblem, HoursCondition, Offer, TaskStatuses, Triggers,
} from "../../../api/flows";
import type { GroupRef } from "../../../api/types";
import { t } from "../../../i18n";
import { ALLOWED_TYPES, checkFiles, size } from "../../../lib/files";
import { ActionForm } from "./ActionForm";
import { ChipInput } from "./ChipInput";
import { ProblemsAt } from "./Problems";

const OFFERS: Offer[] = ["text", "buttons", "list"];
const HOURS: HoursCondition[] = ["any", "open", "closed"];
const LIMIT: Record<Offer, number> = { text: Infinity, buttons: 3, list: 10 };

/** The selected node: what offers it, what selects it, what the bot answers and does. */
export function NodeForm({ node, isRoot, root, groups, statuses, problems, onChange, readOnly }: {
  node: FlowNode; isRoot: boolean; root: FlowNode; groups: GroupRef[]; statuses: TaskStatuses | null;
  problems: FlowProblem[]; onChange: (next: FlowNode) => void; readOnly: boolean;
}) {
  const set = (patch: Partial<FlowNode>) => onChange({ ...node, ...patch });
  const triggers = node.triggers ?? {};
  const setTriggers = (kind: keyof Triggers, values: string[]) =>
    set({ triggers: { ...triggers, [kind]: values } });
  const offer = node.offer ?? "text";
  const children = node.children?.length ?? 0;

  return (
    <form class="node-form" aria-labelledby="node-form-title" onSubmit={(e) => e.preventDefault()}>
      <header class="node-form-head">
        <h2 id="node-form-title">{isRoot ? t("flows.rootTitle") : t("flows.nodeTitle")}</h2>
        <code class="node-id" title={t("flows.nodeIdHint")}>{node.id}</code>
      </header>
      <ProblemsAt problems={problems} root={root} />
      {isRoot && <p class="hint">{t("flows.rootHint")}</p>}
      {!isRoot && (
        <div class="field">
          <label for="f-title">{t("flows.field.title")}</label>
          <input id="f-title" disabled={readOnly} value={node.title ?? ""}
                 aria-describedby="f-title-hint" onInput={(e) => set({ title: e.currentTarget.value })} />
          <small id="f-title-hint" class="hint">{t("flows.hint.title")}</small>
        </div>
      )}
      {!isRoot && (
        <fieldset class="triggers">
          <legend>{t("flows.triggers")}</legend>
          <ChipInput id="f-codes" label={t("flows.field.codes")} values={triggers.codes ?? []}
                     disabled={readOnly} hint={t("flows.hint.codes")}
                     onChange={(v) => setTriggers("codes", v)} />
          <ChipInput id="f-keywords" label={t("flows.field.keywords")} values={triggers.keywords ?? []}
                     disabled={readOnly} hint={t("flows.hint.keywords")}
                     onChange={(v) => setTriggers("keywords", v)} />
          <ChipInput id="f-payloads" label={t("flows.field.payloads")} values={triggers.payloads ?? []}
                     disabled={readOnly} hint={t("flows.hint.payloads")}
                     onChange={(v) => setTriggers("payloads", v)} />
        </fieldset>
      )}
      <div class="field">
        <label for="f-answer">{isRoot ? t("flows.field.greeting") : t("flows.field.answer")}</label>
        <textarea id="f-answer" rows={5} disabled={readOnly} value={node.answer ?? ""}
                  onInput={(e) => set({ answer: e.currentTarget.value })} />
      </div>
      <AnswerFile node={node} readOnly={readOnly} onChange={(attachment) => set({ attachment })} />
      <div class="field-row">
        <div class="field">
          <label for="f-offer">{t("flows.field.offer")}</label>
          <select id="f-offer" disabled={readOnly} value={offer}
                  aria-describedby="f-offer-hint"
                  onChange={(e) => set({ offer: e.currentTarget.value as Offer })}>
            {OFFERS.map((o) => <option value={o}>{t(`flows.offer.${o}`)}</option>)}
          </select>
          <small id="f-offer-hint" class={children > LIMIT[offer] ? "error" : "hint"}>
            {children > LIMIT[offer]
              ? t("flows.offerTooMany", { n: children, max: LIMIT[offer] })
              : t(`flows.offerHint.${offer}`)}
          </small>
        </div>
        {!isRoot && (
          <div class="field">
            <label for="f-hours">{t("flows.field.hours")}</label>
            <select id="f-hours" disabled={readOnly} value={node.hours ?? "any"}
                    onChange={(e) => set({ hours: e.currentTarget.value as HoursCondition })}>
              {HOURS.map((h) => <option value={h}>{t(`flows.hours.${h}`)}</option>)}
            </select>
          </div>
        )}
      </div>
      {(!isRoot || node.action) && (  // the greeting acts on nothing; an imported action can go
        <ActionForm action={node.action} groups={groups} statuses={statuses} root={root} disabled={readOnly}
                    onChange={(action) => set({ action })} />
      )}
    </form>
  );
}

/** The file sent after the answer's text: shown with its size, replaced or removed; a new one
 * is checked here (type, size) and stored at once, so the draft holds only its reference. */
function AnswerFile({ node, readOnly, onChange }: {
  node: FlowNode; readOnly: boolean; onChange: (next: FlowNode["attachment"]) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const picker = useRef<HTMLInputElement>(null);
  const pick = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    input.value = "";
    if (!file) return;
    const { ok, refused } = checkFiles([file], 0);
    if (!ok.length) { setError(refused.join(" ")); return; }
    setBusy(true);
    setError(null);
    try {
      onChange(await flowsApi.uploadFile(file));
    } catch (exc) {
      setError(exc instanceof ApiError ? exc.reason || exc.code : String(exc));
    } finally {
      setBusy(false);
    }
  };
  const file = node.attachment;
  return (
    <div class="field answer-file">
      <span class="label">{t("flows.field.file")}</span>
      {file && (
        <p class="attachment" data-testid="answer-file">
          📎 {file.file_name} <span class="muted">{size(file.size)}</span>
          {!readOnly && <button type="button" class="link danger" onClick={() => onChange(null)}>
            {t("flows.removeAttachment")}</button>}
        </p>
      )}
      {!readOnly && (
        <>
          <button type="button" disabled={busy} aria-describedby="f-file-hint"
                  onClick={() => picker.current?.click()}>
            {busy ? t("flows.fileUploading") : file ? t("flows.replaceFile") : t("flows.attachFile")}
          </button>
          <input ref={picker} type="file" hidden accept={[...ALLOWED_TYPES].join(",")}
                 data-testid="answer-file-input" onChange={(e) => void pick(e.currentTarget)} />
        </>
      )}
      <p class="hint" id="f-file-hint">{t("flows.hint.file")}</p>
      {error && <p class="error" role="alert">{error}</p>}
    </div>
  );
}
