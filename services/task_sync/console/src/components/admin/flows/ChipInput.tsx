import { useState } from "preact/hooks";
import { t } from "../../../i18n";

/** A list of short words as chips: Enter or a comma adds what was typed, ✕ removes one,
 * Backspace in the empty field removes the last. */
export function ChipInput({ label, values, onChange, hint, disabled = false, id }: {
  label: string; values: string[]; onChange: (next: string[]) => void; hint?: string;
  disabled?: boolean; id: string;
}) {
  const [typed, setTyped] = useState("");
  const add = (raw: string) => {
    const words = raw.split(",").map((w) => w.trim()).filter(Boolean)
      .filter((w) => !values.includes(w));
    if (words.length) onChange([...values, ...words]);
    setTyped("");
  };
  const onKey = (event: KeyboardEvent) => {
    if (event.key === "Enter" || event.key === ",") {
      event.preventDefault();
      add(typed);
    } else if (event.key === "Backspace" && !typed && values.length) {
      onChange(values.slice(0, -1));
    }
  };
  return (
    <div class="chips-field">
      <label for={id}>{label}</label>
      <div class={`chips${disabled ? " disabled" : ""}`}>
        {values.map((v) => (
          <span class="chip" key={v}>
            <span class="chip-text">{v}</span>
            {!disabled && (
              <button type="button" class="chip-x" aria-label={t("flows.removeChip", { value: v })}
                      onClick={() => onChange(values.filter((x) => x !== v))}>✕</button>
            )}
          </span>
        ))}
        {!disabled && (
          <input id={id} value={typed} onInput={(e) => setTyped(e.currentTarget.value)}
                 onKeyDown={onKey} onBlur={() => typed.trim() && add(typed)}
                 placeholder={values.length ? "" : t("flows.chipPlaceholder")}
                 aria-describedby={hint ? `${id}-hint` : undefined} />
        )}
      </div>
      {hint && <small id={`${id}-hint`} class="hint">{hint}</small>}
    </div>
  );
}
