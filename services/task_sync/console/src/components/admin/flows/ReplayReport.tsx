import { useState } from "preact/hooks";
import { ApiError } from "../../../api/client";
import {
  flowsApi, type ReplayItem, type ReplayReport as Report, type SimMessage, type VersionChoice,
  type VersionSummary,
} from "../../../api/flows";
import { t } from "../../../i18n";
import { link } from "../../../lib/router";
import { full } from "../../../lib/time";

/** Real conversations of the last days run again on the draft (or a version): where it would
 * have answered differently from what the live flow answered. */
export function ReplayReport({ flowKey, versions, dirty }: {
  flowKey: string; versions: VersionSummary[]; dirty: boolean;
}) {
  const [days, setDays] = useState(7);
  const [version, setVersion] = useState<VersionChoice>("draft");
  const [report, setReport] = useState<Report | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const run = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      setReport(await flowsApi.replay(flowKey, days, version));
      setProblem(null);
    } catch (exc) {
      setProblem(exc instanceof ApiError ? exc.reason : String(exc));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="replay" aria-labelledby="replay-title">
      <h2 id="replay-title" class="sr-only">{t("flows.tab.replay")}</h2>
      <p class="hint">{t("flows.replay.hint")}</p>
      <form class="admin-form inline" onSubmit={run}>
        <label>{t("flows.replay.days")}
          <input type="number" min={1} max={90} required value={days}
                 onInput={(e) => setDays(Number(e.currentTarget.value) || 1)} />
        </label>
        <label>{t("flows.replay.version")}
          <select value={version === null ? "live" : String(version)}
                  onChange={(e) => setVersion(e.currentTarget.value === "draft" ? "draft" : Number(e.currentTarget.value))}>
            <option value="draft">{t("flows.sim.draft")}</option>
            {versions.map((v) => <option value={String(v.version)}>{t("flows.versionN", { n: v.version })}</option>)}
          </select>
        </label>
        <button type="submit" class="primary" disabled={busy}>{busy ? t("flows.replay.running") : t("flows.replay.run")}</button>
      </form>
      {dirty && version === "draft" && <p class="warn">{t("flows.sim.unsaved")}</p>}
      {problem && <p class="error" role="alert">{problem}</p>}
      {report && (
        <>
          <p class="replay-summary" role="status">
            {t("flows.replay.summary", { compared: report.compared, differing: report.differing })}
          </p>
          {report.capped && (report.capped.conversations || report.capped.conversations_with_more_messages > 0) && (
            <p class="hint">{t("flows.replay.capped", { conversations: report.capped.max_conversations,
              messages: report.capped.max_messages })}</p>
          )}
          {!report.items.length && <p class="empty">{t("flows.replay.same")}</p>}
          <ul class="replay-items">{report.items.map((item) => <Conversation item={item} />)}</ul>
        </>
      )}
    </section>
  );
}

function Conversation({ item }: { item: ReplayItem }) {
  const path = `/tasks/${encodeURIComponent(item.task_id)}`;
  const handover = item.live_handed_over !== item.draft_handed_over;
  return (
    <li class="replay-item" data-task-id={item.task_id}>
      <header>
        <a href={path} onClick={link(path)}>{item.title || item.task_id}</a>
        <span class="muted">{full(item.at)}</span>
        {handover && (
          <span class="fx fx-hand_over">{item.draft_handed_over
            ? t("flows.replay.nowHandsOver") : t("flows.replay.noLongerHandsOver")}</span>
        )}
      </header>
      <table class="grid replay-diff">
        <thead><tr><th scope="col">{t("flows.replay.customer")}</th>
          <th scope="col">{t("flows.replay.live")}</th><th scope="col">{t("flows.replay.draft")}</th></tr></thead>
        <tbody>
          {item.differences.map((d) => (
            <tr>
              <td><span class="muted">#{d.index + 1}</span> {said(d.input)}</td>
              <td><Replies items={d.live} /></td>
              <td class="replay-new"><Replies items={d.draft} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </li>
  );
}

function said(input: SimMessage | string): string {
  return typeof input === "string" ? input : input.text || input.payload || "";
}

/** Replies as text (the report gives strings or reply objects). */
function Replies({ items }: { items: unknown[] }) {
  if (!items.length) return <span class="muted">{t("flows.replay.silent")}</span>;
  return (
    <>
      {items.map((r) => {
        const reply = (typeof r === "string" ? { text: r } : r ?? {}) as { text?: string; choices?: { title: string }[] };
        return (
          <p class="text replay-reply">{reply.text ?? JSON.stringify(r)}
            {reply.choices?.length ? <span class="muted"> [{reply.choices.map((c) => c.title).join(" | ")}]</span> : null}</p>
        );
      })}
    </>
  );
}
