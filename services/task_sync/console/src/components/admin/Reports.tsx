import { useState } from "preact/hooks";
import { api } from "../../api/client";
import type { ReportRow } from "../../api/reportTypes";
import { t } from "../../i18n";
import { useLoad } from "./useLoad";

const DAY_MS = 24 * 3600 * 1000;

function day(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * DAY_MS).toISOString().slice(0, 10);
}

/** Seconds as a person reads a duration: 45 s, 12 min, 3.5 h. */
function duration(seconds: number | null): string {
  if (seconds === null) return "—";
  if (seconds < 90) return t("reports.seconds", { n: Math.round(seconds) });
  if (seconds < 5400) return t("reports.minutes", { n: Math.round(seconds / 60) });
  return t("reports.hours", { n: Math.round(seconds / 360) / 10 });
}

/** SLA compliance as a percentage with a bar (the "simple chart" of the page). */
function Compliance({ row }: { row: ReportRow }) {
  if (row.sla_compliance === null) return <span class="muted">—</span>;
  const percent = Math.round(row.sla_compliance * 100);
  return (
    <span class="report-bar" title={t("reports.metOf", { met: row.sla_met, all: row.sla_met + row.sla_breached })}>
      <span class="report-bar-fill" style={{ width: `${percent}%` }} />
      <span class="report-bar-label">{percent}%</span>
    </span>
  );
}

function Rows({ title, rows }: { title: string; rows: ReportRow[] }) {
  return (
    <>
      <h2>{title}</h2>
      {!rows.length ? <p class="empty">{t("admin.none")}</p> : (
        <table class="grid">
          <thead>
            <tr>
              <th>{t("admin.name")}</th><th>{t("reports.chats")}</th>
              <th>{t("reports.firstMedian")}</th><th>{t("reports.firstP90")}</th>
              <th>{t("reports.resolutionMedian")}</th><th>{t("reports.resolutionP90")}</th>
              <th>{t("reports.compliance")}</th><th>{t("reports.breaches")}</th>
              <th>{t("reports.forwarded")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr>
                <td>{r.name}</td><td>{r.chats}</td>
                <td>{duration(r.first_response_median_s)}</td><td>{duration(r.first_response_p90_s)}</td>
                <td>{duration(r.resolution_median_s)}</td><td>{duration(r.resolution_p90_s)}</td>
                <td><Compliance row={r} /></td><td>{r.breaches}</td><td>{r.forwarded}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** Reports per group and per manager over a period (supervisors: their groups). */
export function Reports() {
  const [period, setPeriod] = useState({ since: day(-7), until: day(1) });
  const [applied, setApplied] = useState(period);
  const query = { since: new Date(applied.since).toISOString(),
                  until: new Date(applied.until).toISOString() };
  const report = useLoad(() => api.report(query), [applied]);
  const csv = `/api/v1/reports?format=csv&since=${encodeURIComponent(query.since)}&until=${encodeURIComponent(query.until)}`;
  return (
    <>
      <form class="admin-form inline" onSubmit={(e) => { e.preventDefault(); setApplied({ ...period }); }}>
        <label>{t("admin.since")}<input type="date" required value={period.since} onInput={(e) => setPeriod({ ...period, since: e.currentTarget.value })} /></label>
        <label>{t("reports.until")}<input type="date" required value={period.until} onInput={(e) => setPeriod({ ...period, until: e.currentTarget.value })} /></label>
        <button type="submit">{t("admin.filter")}</button>
        <a href={csv} download>{t("reports.csv")}</a>
      </form>
      {report.problem && <p class="error" role="alert">{report.problem}</p>}
      {report.data && (
        <>
          <Rows title={t("reports.groups")} rows={report.data.groups} />
          <Rows title={t("reports.managers")} rows={report.data.managers} />
        </>
      )}
    </>
  );
}
