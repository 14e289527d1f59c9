import { useEffect, useState } from "preact/hooks";
import { ApiError, api } from "../api/client";
import type { Availability as State } from "../api/reportTypes";
import { t } from "../i18n";

const STATES: State[] = ["online", "away", "on_leave"];

/** My availability for routing (issue 13): away or on leave, no chats come to me. */
export function Availability() {
  const [state, setState] = useState<State | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    api.myAvailability().then((s) => setState(s.availability), () => setState(null));
  }, []);
  if (state === null) return null;
  const change = async (next: State) => {
    try {
      setState((await api.setMyAvailability(next)).availability);
      setProblem(null);
    } catch (exc) {
      setProblem(exc instanceof ApiError ? exc.reason : String(exc));
    }
  };
  return (
    <label class="availability" title={problem ?? undefined}>
      <span class="sr-only">{t("availability.label")}</span>
      <select value={state} data-testid="availability"
              onChange={(e) => void change(e.currentTarget.value as State)}>
        {STATES.map((s) => <option value={s}>{t(`availability.${s}`)}</option>)}
      </select>
    </label>
  );
}
