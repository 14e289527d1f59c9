import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, api } from "../../../api/client";
import {
  flowsApi, type FlowDraft, type FlowProblem, type FlowSet, type TaskStatuses, type VersionSummary,
} from "../../../api/flows";
import type { GroupRef } from "../../../api/types";
import { t } from "../../../i18n";
import { link } from "../../../lib/router";
import { clock, full } from "../../../lib/time";
import { Confirm } from "./Confirm";
import { FlowEditor } from "./FlowEditor";
import { HoursEditor } from "./HoursEditor";
import { TABS, flowPath, type Tab } from "./paths";
import { PublishDialog } from "./PublishDialog";
import { ReplayReport } from "./ReplayReport";
import { Simulator } from "./Simulator";
import { VersionHistory } from "./VersionHistory";

type Message = { kind: "note" | "error"; text: string } | null;

/** Unsaved edits per flow key, kept while the admin looks at another page of the console
 * (and put back when they return, if the stored draft is still the one they started from). */
const unsaved = new Map<string, { flow: FlowSet; base: string | null }>();

/** One flow set's draft: editing it (with the simulator), replaying it, its versions, its hours. */
export function FlowWorkspace({ flowKey, tab }: { flowKey: string; tab: Tab }) {
  const [draft, setDraft] = useState<FlowDraft | null>(null);
  const [flow, setFlow] = useState<FlowSet | null>(null);
  const [dirty, setDirty] = useState(false);
  const [versions, setVersions] = useState<VersionSummary[]>([]);
  const [groups, setGroups] = useState<GroupRef[]>([]);
  const [statuses, setStatuses] = useState<TaskStatuses | null>(null);
  const [people, setPeople] = useState<Record<string, string>>({});
  const [selected, setSelected] = useState("");
  const [message, setMessage] = useState<Message>(null);
  const [conflict, setConflict] = useState<FlowDraft | null>(null);
  const [publishing, setPublishing] = useState(false);
  const [discarding, setDiscarding] = useState(false);
  const [saving, setSaving] = useState(false);
  const current = useRef<FlowSet | null>(null);
  current.current = flow;

  const fail = (exc: unknown) =>
    setMessage({ kind: "error", text: exc instanceof ApiError ? exc.reason : String(exc) });
  const adopt = (next: FlowDraft) => {
    setDraft(next);
    setFlow(next.flow);
    setDirty(false);
    setConflict(null);
  };
  const loadVersions = async () => setVersions((await flowsApi.versions(flowKey)).items);
  const load = async (pending?: { flow: FlowSet; base: string | null }) => {
    try {
      const loaded = await flowsApi.draft(flowKey);
      adopt(loaded);
      setSelected((s) => s || loaded.flow.root.id);
      if (pending && pending.base === loaded.updated_at) {
        setFlow(pending.flow);
        setDirty(true);
        setMessage({ kind: "note", text: t("flows.unsavedRestored") });
      } else if (pending) {
        setMessage({ kind: "error", text: t("flows.unsavedDropped") });
      }
      await loadVersions();
    } catch (exc) {
      fail(exc);
    }
  };
  useEffect(() => {
    if (dirty && flow && draft) unsaved.set(flowKey, { flow, base: draft.updated_at });
    else if (draft) unsaved.delete(flowKey);
  }, [flow, dirty, draft]);
  useEffect(() => {
    setDraft(null);
    setSelected("");
    void load(unsaved.get(flowKey));
    api.groups().then((g) => setGroups(g.items), () => setGroups([]));
    flowsApi.statuses().then(setStatuses, () => setStatuses(null));
    api.users().then((u) => setPeople(Object.fromEntries(u.items.map((p) => [p.id, p.full_name]))),
      () => setPeople({}));
  }, [flowKey]);

  useEffect(() => setMessage((m) => (m?.kind === "note" ? null : m)), [tab]);

  const edit = (next: FlowSet) => {
    setFlow(next);
    setDirty(true);
  };

  /** Save the local flow; false when it did not happen (a failure, or someone else's save). */
  const save = async (overwrite = false): Promise<FlowDraft | null> => {
    const sent = current.current;
    if (!sent || !draft) return null;
    setSaving(true);
    try {
      if (!overwrite) {  // PUT has no precondition: look whether someone saved since
        const theirs = await flowsApi.draft(flowKey);
        if (theirs.updated_at !== draft.updated_at) {
          setConflict(theirs);
          return null;
        }
      }
      const out = await flowsApi.saveDraft(flowKey, sent);
      setDraft(out);
      setConflict(null);
      if (current.current === sent) {
        setFlow(out.flow);
        setDirty(false);
      }
      setMessage(out.problems.length
        ? { kind: "error", text: t("flows.savedWithProblems", { n: out.problems.length }) }
        : { kind: "note", text: t("flows.saved", { at: clock(out.updated_at ?? new Date().toISOString()) }) });
      return out;
    } catch (exc) {
      fail(exc);
      return null;
    } finally {
      setSaving(false);
    }
  };
  const saveRef = useRef(save);
  saveRef.current = save;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
        event.preventDefault();
        void saveRef.current();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  useEffect(() => {
    if (!dirty) return undefined;
    const warn = (event: BeforeUnloadEvent) => { event.preventDefault(); event.returnValue = ""; };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);

  const publish = async (note: string) => {
    const saved = dirty ? await save() : draft;
    if (!saved) { setPublishing(false); return; }
    if (saved.problems.length) {
      setPublishing(false);
      setMessage({ kind: "error", text: t("flows.publishBlocked", { n: saved.problems.length }) });
      return;
    }
    try {
      const published = await flowsApi.publish(flowKey, note, saved.updated_at);
      setPublishing(false);
      await load();
      setMessage({ kind: "note", text: t("flows.published", { n: published.version }) });
    } catch (exc) {
      setPublishing(false);
      if (exc instanceof ApiError && exc.status === 409 && exc.code === "draft_changed") {
        setConflict(await flowsApi.draft(flowKey).catch(() => null) ?? saved);
        setMessage({ kind: "error", text: t("flows.conflictPublish") });
      } else if (exc instanceof ApiError && exc.status === 409) {
        await load();
        setMessage({ kind: "error", text: exc.code === "published_meanwhile"
          ? t("flows.publishedMeanwhile") : exc.reason });
      } else if (exc instanceof ApiError && exc.status === 422) {
        const problems = (exc.body as { problems?: FlowProblem[] } | undefined)?.problems ?? [];
        setDraft({ ...saved, problems });
        setMessage({ kind: "error", text: t("flows.publishBlocked", { n: problems.length }) });
      } else {
        fail(exc);
      }
    }
  };
  const discard = async () => {
    setDiscarding(false);
    try {
      if (draft?.updated_at) await flowsApi.discardDraft(flowKey);
      await load();
      setMessage({ kind: "note", text: t("flows.discarded") });
    } catch (exc) {
      fail(exc);
    }
  };
  /** The hours went into the stored draft: unsaved edits keep everything else. */
  const hoursSaved = (fresh: FlowDraft) => {
    if (!dirty) adopt(fresh);
    else {
      setDraft(fresh);
      setFlow((f) => f && { ...f, hours: fresh.flow.hours ?? null });
    }
  };

  if (!draft || !flow) {
    return (
      <div class="flows">
        <Back />
        {message ? <p class="error" role="alert">{message.text}</p> : <p class="loading">{t("app.loading")}</p>}
      </div>
    );
  }
  const problems = draft.problems;
  const live = versions.find((v) => v.live)?.version ?? null;
  const blocked = !dirty && problems.length > 0;
  const stored = dirty || draft.updated_at !== null;  // no stored draft: nothing to publish

  return (
    <div class="flows">
      <div class="flow-head">
        <Back />
        <h2 class="flow-title">{flowKey === "default" ? t("flows.default") : t("flows.channelFlow", { channel: flowKey })}</h2>
        <span class="spacer" />
        <button type="button" onClick={() => void save()} disabled={!dirty || saving}
                title={t("flows.saveShortcut")} aria-keyshortcuts="Control+S">{t("flows.save")}</button>
        <button type="button" onClick={() => setDiscarding(true)}
                disabled={!dirty && !draft.updated_at}>{t("flows.discard")}</button>
        <button type="button" class="primary" disabled={blocked || saving || !stored}
                aria-describedby={blocked ? "publish-blocked" : undefined}
                onClick={() => setPublishing(true)}>{t("flows.publish")}</button>
      </div>
      <p class="flow-status" data-testid="flow-status">
        {live === null ? t("flows.notPublished") : t("flows.liveIs", { n: live })}
        {" · "}
        {draft.updated_at ? t("flows.draftSavedAt", { at: full(draft.updated_at),
          by: draft.updated_by ? people[draft.updated_by] ?? draft.updated_by : "" })
          : t("flows.draftFrom", { n: draft.base_version ?? "—" })}
        {dirty && <strong class="unsaved"> · {t("flows.unsaved")}</strong>}
        {blocked && <span id="publish-blocked" class="blocked"> · {t("flows.publishBlocked", { n: problems.length })}</span>}
      </p>
      {message && (
        <p class={message.kind === "error" ? "error" : "note"} role={message.kind === "error" ? "alert" : "status"}>
          {message.text}</p>
      )}
      {conflict && (
        <div class="warn conflict" role="alert">
          <p>{t("flows.conflict", { at: conflict.updated_at ? full(conflict.updated_at) : "",
            by: conflict.updated_by ? people[conflict.updated_by] ?? conflict.updated_by : "" })}</p>
          <div class="row">
            <button type="button" onClick={() => adopt(conflict)}>{t("flows.takeTheirs")}</button>
            <button type="button" onClick={() => { setDraft({ ...draft, updated_at: conflict.updated_at }); void save(true); }}>
              {t("flows.keepMine")}</button>
          </div>
        </div>
      )}
      <nav class="flow-tabs" aria-label={t("flows.tabs")}>
        {TABS.map((name) => (
          <a href={flowPath(flowKey, name)} onClick={link(flowPath(flowKey, name))}
             aria-current={tab === name ? "page" : undefined}>{t(`flows.tab.${name}`)}</a>
        ))}
      </nav>
      {tab === "editor" && (
        <div class="flow-main">
          <FlowEditor flow={flow} onChange={edit} problems={problems} groups={groups} statuses={statuses}
                      selected={selected} onSelect={setSelected} />
          <Simulator key={flowKey} flowKey={flowKey} versions={versions} groups={groups} root={flow.root}
                     draftStamp={draft.updated_at} dirty={dirty} onSave={() => void save()}
                     onShowNode={setSelected} />
        </div>
      )}
      {tab === "replay" && <ReplayReport key={flowKey} flowKey={flowKey} versions={versions} dirty={dirty} />}
      {tab === "versions" && (
        <VersionHistory key={flowKey} flowKey={flowKey} versions={versions} groups={groups} statuses={statuses}
                        dirty={dirty} people={people}
                        onRestored={() => load()} onImported={(d) => { adopt(d); setSelected(d.flow.root.id); }} />
      )}
      {tab === "hours" && <HoursEditor key={flowKey} flowKey={flowKey} onSaved={hoursSaved} />}
      {publishing && (
        <PublishDialog dirty={dirty} onCancel={() => setPublishing(false)} onPublish={publish} />
      )}
      {discarding && (
        <Confirm title={t("flows.discard")} confirm={t("flows.discard")} danger
                 onCancel={() => setDiscarding(false)} onConfirm={() => void discard()}>
          {t("flows.discardConfirm")}
        </Confirm>
      )}
    </div>
  );
}

function Back() {
  return <a class="flow-back" href="/admin/flows" onClick={link("/admin/flows")}>← {t("flows.all")}</a>;
}
