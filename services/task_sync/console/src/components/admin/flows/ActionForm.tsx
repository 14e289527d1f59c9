import type { Action, ActionType, FlowNode, TaskStatuses } from "../../../api/flows";
import type { GroupRef } from "../../../api/types";
import { t, type Key } from "../../../i18n";
import { flatten, label } from "./tree";

const TYPES: ActionType[] = ["hand_over", "set_status", "close", "ask", "lookup_status"];

/** A fresh action of a type, with the defaults shared/domain/flows.py gives it. */
function fresh(type: ActionType): Action {
  switch (type) {
    case "hand_over": return { type, group_id: null };
    case "set_status": return { type, status: "" };
    case "close": return { type };
    case "ask": return { type, field: "", pattern: "", reask_text: "", max_tries: 3, done_text: "" };
    case "lookup_status": return { type, reask_text: "", not_found_text: "",
      answer_template: "Статус заявки {number}: {status}", pattern: "\\d{1,12}", max_tries: 3 };
  }
}

/** The node's action: a type, then the fields that type needs. */
export function ActionForm({ action, onChange, groups, statuses, root, disabled }: {
  action: Action | null | undefined; onChange: (next: Action | null) => void;
  groups: GroupRef[]; statuses: TaskStatuses | null; root: FlowNode; disabled: boolean;
}) {
  const set = (patch: Partial<Action>) => onChange({ ...action, ...patch } as Action);
  const text = (field: string, value: string | undefined, kind: "input" | "area" = "input",
                extra: { placeholder?: string; hint?: string; mono?: boolean } = {}) => {
    const id = `f-action-${field}`;
    return (
      <div class="field">
        <label for={id}>{t(`flows.field.${field}` as Key)}</label>
        {kind === "area"
          ? <textarea id={id} rows={2} disabled={disabled} value={value ?? ""}
                      onInput={(e) => set({ [field]: e.currentTarget.value } as Partial<Action>)} />
          : <input id={id} disabled={disabled} value={value ?? ""} placeholder={extra.placeholder}
                   class={extra.mono ? "mono" : undefined} spellcheck={!extra.mono}
                   aria-describedby={extra.hint ? `${id}-hint` : undefined}
                   onInput={(e) => set({ [field]: e.currentTarget.value } as Partial<Action>)} />}
        {extra.hint && <small id={`${id}-hint`} class="hint">{extra.hint}</small>}
      </div>
    );
  };
  const tries = (value: number | undefined) => (
    <div class="field narrow">
      <label for="f-action-max_tries">{t("flows.field.max_tries")}</label>
      <input id="f-action-max_tries" type="number" min={1} max={10} disabled={disabled}
             value={value ?? 3}
             onInput={(e) => set({ max_tries: Number(e.currentTarget.value) || 1 } as Partial<Action>)} />
    </div>
  );

  return (
    <fieldset class="action-form">
      <legend>{t("flows.action")}</legend>
      <div class="field">
        <label for="f-action-type">{t("flows.actionType")}</label>
        <select id="f-action-type" disabled={disabled} value={action?.type ?? ""}
                onChange={(e) => {
                  const type = e.currentTarget.value as ActionType | "";
                  onChange(type ? fresh(type) : null);
                }}>
          <option value="">{t("flows.action.none")}</option>
          {TYPES.map((type) => <option value={type}>{t(`flows.action.${type}`)}</option>)}
        </select>
      </div>
      {action?.type === "hand_over" && (
        <div class="field">
          <label for="f-action-group">{t("flows.field.group")}</label>
          <select id="f-action-group" disabled={disabled} value={action.group_id ?? ""}
                  onChange={(e) => set({ group_id: e.currentTarget.value || null })}>
            <option value="">{t("flows.responsible")}</option>
            {groups.map((g) => <option value={g.id}>{g.name}</option>)}
            {action.group_id && !groups.some((g) => g.id === action.group_id) && (
              <option value={action.group_id}>{t("flows.unknownGroup", { id: action.group_id })}</option>
            )}
          </select>
        </div>
      )}
      {action?.type === "set_status" && (
        <StatusField status={action.status} statuses={statuses} disabled={disabled}
                     onChange={(status) => set({ status })} />
      )}
      {action?.type === "ask" && (
        <>
          {text("field", action.field, "input", { hint: t("flows.hint.field"), mono: true })}
          {text("pattern", action.pattern, "input", { placeholder: "\\d{6}", hint: t("flows.hint.pattern"), mono: true })}
          {text("reask_text", action.reask_text, "area")}
          {tries(action.max_tries)}
          {text("done_text", action.done_text, "area", { hint: t("flows.hint.doneText") })}
          <div class="field">
            <label for="f-action-then">{t("flows.field.then")}</label>
            <select id="f-action-then" disabled={disabled} value={action.then ?? ""}
                    onChange={(e) => set({ then: e.currentTarget.value || null })}>
              <option value="">{t("flows.thenParent")}</option>
              {flatten(root).map((p) => (
                <option value={p.node.id}>{"  ".repeat(p.depth)}{label(p.node)}</option>
              ))}
            </select>
          </div>
        </>
      )}
      {action?.type === "lookup_status" && (
        <>
          {text("pattern", action.pattern, "input", { placeholder: "\\d{1,12}", hint: t("flows.hint.pattern"), mono: true })}
          {text("answer_template", action.answer_template, "input", { hint: t("flows.hint.answerTemplate") })}
          {text("not_found_text", action.not_found_text, "area")}
          {text("reask_text", action.reask_text, "area")}
          {tries(action.max_tries)}
        </>
      )}
    </fieldset>
  );
}

const ROLES = ["bot", "manager", "closed"] as const;

/** The status a node sets, chosen among the task system's (publishing refuses any other); a
 * stored flow's unknown status stays shown, marked, until another is chosen. */
function StatusField({ status, statuses, disabled, onChange }: {
  status: string; statuses: TaskStatuses | null; disabled: boolean; onChange: (status: string) => void;
}) {
  const known = statuses ? ROLES.map((role) => ({ role, name: statuses[role] })) : [];
  const unknown = status !== "" && !known.some((s) => s.name === status);
  return (
    <div class="field">
      <label for="f-action-status">{t("flows.field.status")}</label>
      <select id="f-action-status" disabled={disabled} value={status} aria-describedby="f-action-status-hint"
              aria-invalid={unknown && statuses !== null ? true : undefined}
              onChange={(e) => onChange(e.currentTarget.value)}>
        {status === "" && <option value="" disabled>{t("flows.chooseStatus")}</option>}
        {known.map(({ role, name }) => (
          <option value={name}>{t(`flows.statusRole.${role}`, { status: name })}</option>
        ))}
        {unknown && <option value={status}>{t("flows.unknownStatus", { status })}</option>}
      </select>
      <small id="f-action-status-hint" class="hint">{t("flows.hint.status")}</small>
    </div>
  );
}
