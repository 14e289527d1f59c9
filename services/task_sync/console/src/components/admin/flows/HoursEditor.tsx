import { useEffect, useState } from "preact/hooks";
import { ApiError } from "../../../api/client";
import { flowsApi, type BusinessCalendar, type FlowDraft, type OpeningHours } from "../../../api/flows";
import { t } from "../../../i18n";

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
const CLOCK = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
const COUNTRIES = ["RU", "BY", "KZ", "UZ", "KG", "AM", "GE", "AZ", "UA", "DE", "US", "GB", "TR", "AE"];
const ZONES: string[] = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] })
  .supportedValuesOf?.("timeZone") ?? ["UTC", "Europe/Moscow"];
const WORKDAY: BusinessCalendar = {
  timezone: "Europe/Moscow",
  hours: DAYS.slice(0, 5).map((day) => ({ day, start: "09:00", end: "18:00" })),
  holidays_country: "RU", closed_dates: [],
};

/** Weekly opening hours in a time zone, public holidays of a country and extra closed days:
 * the draft's calendar (the bot's out-of-hours answers and open/closed branches use it). */
export function HoursEditor({ flowKey, onSaved }: {
  flowKey: string; onSaved: (draft: FlowDraft) => void;
}) {
  const [saved, setSaved] = useState<BusinessCalendar | null | undefined>(undefined);
  const [cal, setCal] = useState<BusinessCalendar | null>(null);
  const [newDate, setNewDate] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);

  useEffect(() => {
    flowsApi.hours(flowKey).then((c) => { setSaved(c ?? null); setCal(c ?? null); },
      (exc) => setProblem(exc instanceof ApiError ? exc.reason : String(exc)));
  }, [flowKey]);

  if (saved === undefined) return problem ? <p class="error" role="alert">{problem}</p> : <p class="loading">{t("app.loading")}</p>;

  const hours = cal?.hours ?? [];
  const setHours = (next: OpeningHours[]) => cal && setCal({ ...cal, hours: next });
  const wrong = hours.find((h) => !CLOCK.test(h.start) || !CLOCK.test(h.end) || h.start >= h.end);
  const changed = JSON.stringify(cal) !== JSON.stringify(saved);

  const save = async (event: Event) => {
    event.preventDefault();
    if (wrong) return;
    try {
      const out = await flowsApi.saveHours(flowKey, cal);
      const stored = out.flow.hours ?? null;
      setSaved(stored);
      setCal(stored);
      onSaved(out);
      setProblem(null);
      setNote(t("flows.hoursEditor.saved"));
    } catch (exc) {
      setProblem(exc instanceof ApiError ? exc.reason : String(exc));
      setNote(null);
    }
  };

  return (
    <form class="hours-editor admin-form" onSubmit={save} aria-labelledby="hours-title">
      <h2 id="hours-title" class="sr-only">{t("flows.tab.hours")}</h2>
      <label class="check">
        <input type="checkbox" checked={cal !== null}
               onChange={(e) => setCal(e.currentTarget.checked ? (saved ?? WORKDAY) : null)} />
        {t("flows.hoursEditor.enabled")}
      </label>
      {cal === null ? <p class="hint">{t("flows.hoursEditor.alwaysOpen")}</p> : (
        <>
          <label>{t("flows.hoursEditor.timezone")}
            <input list="tz-list" required value={cal.timezone ?? "UTC"}
                   onInput={(e) => setCal({ ...cal, timezone: e.currentTarget.value })} />
            <datalist id="tz-list">{ZONES.map((z) => <option value={z} />)}</datalist>
          </label>
          <fieldset class="week">
            <legend>{t("flows.hoursEditor.week")}</legend>
            <p class="hint">{t("flows.hoursEditor.weekHint")}</p>
            {DAYS.map((day) => {
              const spans = hours.map((h, i) => ({ h, i })).filter(({ h }) => h.day === day);
              const dayName = t(`flows.day.${day}`);
              return (
                <div class="week-row" data-day={day}>
                  <span class="week-day">{dayName}</span>
                  <div class="week-spans">
                    {!spans.length && <span class="muted">{t("flows.hoursEditor.closedDay")}</span>}
                    {spans.map(({ h, i }, n) => (
                      <span class="span">
                        <input class="clock" value={h.start} pattern={CLOCK.source} required
                               aria-label={t("flows.hoursEditor.from", { day: dayName, n: n + 1 })}
                               aria-invalid={!CLOCK.test(h.start) || h.start >= h.end}
                               onInput={(e) => setHours(hours.map((x, j) => j === i ? { ...x, start: e.currentTarget.value } : x))} />
                        –
                        <input class="clock" value={h.end} pattern={CLOCK.source} required
                               aria-label={t("flows.hoursEditor.to", { day: dayName, n: n + 1 })}
                               aria-invalid={!CLOCK.test(h.end) || h.start >= h.end}
                               onInput={(e) => setHours(hours.map((x, j) => j === i ? { ...x, end: e.currentTarget.value } : x))} />
                        <button type="button" class="link danger"
                                aria-label={t("flows.hoursEditor.removeSpan", { day: dayName, n: n + 1 })}
                                onClick={() => setHours(hours.filter((_, j) => j !== i))}>✕</button>
                      </span>
                    ))}
                  </div>
                  <button type="button" class="link"
                          aria-label={t("flows.hoursEditor.addSpanOf", { day: dayName })}
                          onClick={() => setHours([...hours, { day, start: spans.length ? "14:00" : "09:00",
                            end: "18:00" }])}>{t("flows.hoursEditor.addSpan")}</button>
                </div>
              );
            })}
            {wrong && <p class="error" role="alert">{t("flows.hoursEditor.badSpan", { day: t(`flows.day.${wrong.day as typeof DAYS[number]}`) })}</p>}
          </fieldset>
          <div class="row">
            <label>{t("flows.hoursEditor.country")}
              <input list="country-list" value={cal.holidays_country ?? ""} maxLength={3} size={6}
                     aria-describedby="country-hint"
                     onInput={(e) => setCal({ ...cal, holidays_country: e.currentTarget.value.toUpperCase() || null })} />
              <datalist id="country-list">{COUNTRIES.map((c) => <option value={c} />)}</datalist>
            </label>
            <label>{t("flows.hoursEditor.subdivision")}
              <input value={cal.holidays_subdivision ?? ""} size={8}
                     onInput={(e) => setCal({ ...cal, holidays_subdivision: e.currentTarget.value || null })} />
            </label>
          </div>
          <small id="country-hint" class="hint">{t("flows.hoursEditor.countryHint")}</small>
          <fieldset>
            <legend>{t("flows.hoursEditor.closedDates")}</legend>
            <div class="row">
              {(cal.closed_dates ?? []).map((d) => (
                <span class="chip">{d}<button type="button" class="chip-x"
                  aria-label={t("flows.removeChip", { value: d })}
                  onClick={() => setCal({ ...cal, closed_dates: (cal.closed_dates ?? []).filter((x) => x !== d) })}>✕</button></span>
              ))}
            </div>
            <div class="row">
              <label class="sr-only" for="closed-date">{t("flows.hoursEditor.closedDate")}</label>
              <input id="closed-date" type="date" value={newDate} onInput={(e) => setNewDate(e.currentTarget.value)} />
              <button type="button" disabled={!newDate} onClick={() => {
                const dates = [...new Set([...(cal.closed_dates ?? []), newDate])].sort();
                setCal({ ...cal, closed_dates: dates });
                setNewDate("");
              }}>{t("flows.hoursEditor.addDate")}</button>
            </div>
          </fieldset>
        </>
      )}
      {problem && <p class="error" role="alert">{problem}</p>}
      {note && !changed && <p class="note" role="status">{note}</p>}
      <div class="row">
        <button type="submit" class="primary" disabled={!changed || !!wrong}>{t("flows.hoursEditor.save")}</button>
        <button type="button" disabled={!changed} onClick={() => setCal(saved)}>{t("flows.hoursEditor.revert")}</button>
      </div>
    </form>
  );
}
