import { useState } from "preact/hooks";
import { ApiError } from "../../../api/client";
import {
  flowsApi, type FlowDraft, type FlowProblem, type FlowVersion, type TaskStatuses, type VersionSummary,
} from "../../../api/flows";
import type { GroupRef } from "../../../api/types";
import { t } from "../../../i18n";
import { full } from "../../../lib/time";
import { Confirm } from "./Confirm";
import { FlowEditor } from "./FlowEditor";

/** Published versions: look at one, restore one, YAML out and in. */
export function VersionHistory({ flowKey, versions, groups, statuses, dirty, people, onRestored, onImported }: {
  flowKey: string; versions: VersionSummary[]; groups: GroupRef[]; statuses: TaskStatuses | null; dirty: boolean;
  people: Record<string, string>;
  onRestored: () => Promise<void>; onImported: (draft: FlowDraft) => void;
}) {
  const [viewing, setViewing] = useState<FlowVersion | null>(null);
  const [selected, setSelected] = useState("");
  const [restoring, setRestoring] = useState<number | null>(null);
  const [importing, setImporting] = useState<File | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);

  const guard = async (action: () => Promise<void>) => {
    try {
      await action();
      setProblem(null);
    } catch (exc) {
      setProblem(exc instanceof ApiError ? exc.reason : exc instanceof Error ? exc.message : String(exc));
      setNote(null);
    }
  };
  const view = (n: number) => guard(async () => {
    const version = await flowsApi.version(flowKey, n);
    setViewing(version);
    setSelected(version.flow.root.id);
    requestAnimationFrame(() => document.getElementById("version-view-title")
      ?.scrollIntoView({ block: "start", behavior: "smooth" }));
  });
  const restore = (n: number) => guard(async () => {
    setRestoring(null);
    try {
      const published = await flowsApi.restore(flowKey, n);
      await onRestored();
      setNote(t("flows.history.restored", { n, version: published.version }));
    } catch (exc) {
      const problems = (exc instanceof ApiError && exc.status === 422
        ? (exc.body as { problems?: FlowProblem[] } | undefined)?.problems : undefined) ?? [];
      if (!problems.length) throw exc;
      throw new Error(t("flows.history.restoreInvalid", { n,
        problems: problems.map((p) => p.message).join("; ") }));
    }
  });
  const importFile = (file: File) => guard(async () => {
    setImporting(null);
    const draft = await flowsApi.importYaml(flowKey, await file.text());
    onImported(draft);
    setNote(t("flows.history.imported", { name: file.name }));
  });

  return (
    <section class="history" aria-labelledby="history-title">
      <h2 id="history-title" class="sr-only">{t("flows.tab.versions")}</h2>
      {problem && <p class="error" role="alert">{problem}</p>}
      {note && <p class="note" role="status">{note}</p>}
      <div class="row">
        <a class="button-link" href={flowsApi.exportUrl(flowKey, "draft")} download>{t("flows.history.exportDraft")}</a>
        <label class="button">{t("flows.history.import")}
          <input type="file" accept=".yaml,.yml,application/yaml,text/yaml" class="sr-only"
                 onChange={(e) => {
                   const file = e.currentTarget.files?.[0];
                   e.currentTarget.value = "";
                   if (file) setImporting(file);
                 }} />
        </label>
        <span class="hint">{t("flows.history.importHint")}</span>
      </div>
      <table class="grid">
        <thead><tr><th scope="col">{t("flows.history.version")}</th><th scope="col">{t("flows.history.published")}</th>
          <th scope="col">{t("flows.history.by")}</th><th scope="col">{t("flows.history.note")}</th><th /></tr></thead>
        <tbody>
          {versions.map((v) => (
            <tr data-version={v.version} class={viewing?.version === v.version ? "highlight" : ""}>
              <td class="nowrap">{t("flows.versionN", { n: v.version })}{v.live && <span class="live-mark">{t("flows.liveMark")}</span>}</td>
              <td class="nowrap">{full(v.published_at)}</td>
              <td>{v.published_by ? people[v.published_by] ?? v.published_by : ""}</td>
              <td>{v.note}</td>
              <td><div class="row nowrap">
                <button type="button" class="link" onClick={() => void view(v.version)}>{t("flows.history.view")}</button>
                <a href={flowsApi.exportUrl(flowKey, v.version)} download>{t("flows.history.export")}</a>
                {!v.live && <button type="button" class="link" onClick={() => setRestoring(v.version)}>
                  {t("flows.history.restore")}</button>}
              </div></td>
            </tr>
          ))}
        </tbody>
      </table>
      {!versions.length && <p class="empty">{t("flows.history.none")}</p>}
      {viewing && (
        <section class="version-view" aria-labelledby="version-view-title">
          <header class="row">
            <h3 id="version-view-title">{t("flows.history.viewing", { n: viewing.version })}</h3>
            <span class="muted">{t("flows.readOnly")}</span>
            <button type="button" class="link" onClick={() => setViewing(null)}>{t("app.close")}</button>
          </header>
          <FlowEditor flow={viewing.flow} problems={[]} groups={groups} statuses={statuses} readOnly
                      selected={selected} onSelect={setSelected} />
        </section>
      )}
      {restoring !== null && (
        <Confirm title={t("flows.history.restore")} confirm={t("flows.history.restore")}
                 onCancel={() => setRestoring(null)} onConfirm={() => void restore(restoring)}>
          {t("flows.history.restoreConfirm", { n: restoring })}
          {dirty && <><br /><strong>{t("flows.unsavedLost")}</strong></>}
        </Confirm>
      )}
      {importing && (
        <Confirm title={t("flows.history.import")} confirm={t("flows.history.import")}
                 onCancel={() => setImporting(null)} onConfirm={() => void importFile(importing)}>
          {t("flows.history.importConfirm", { name: importing.name })}
          {dirty && <><br /><strong>{t("flows.unsavedLost")}</strong></>}
        </Confirm>
      )}
    </section>
  );
}
