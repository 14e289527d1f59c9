import { useState } from "preact/hooks";
import { api } from "../../../api/client";
import { flowsApi, type FlowSummary } from "../../../api/flows";
import type { ChannelList } from "../../../api/types";
import { t } from "../../../i18n";
import { link, navigate } from "../../../lib/router";
import { full } from "../../../lib/time";
import { attempt, useLoad } from "../useLoad";
import { flowPath } from "./paths";

/** Every flow set: the default one and the channels' own; a channel's is started from a copy
 * of the default draft. */
export function FlowList() {
  const loaded = useLoad(() => Promise.all([flowsApi.list(),
    api.channels().catch((): ChannelList => ({ connections: [], items: [] }))]));
  const [channel, setChannel] = useState("");
  const [flows, channels] = loaded.data ?? [{ items: [] as FlowSummary[] }, null];
  const taken = new Set(flows.items.map((f) => f.key));
  const ids = [...new Set([...(channels?.items ?? []).map((c) => c.channel_id),
    ...(channels?.connections ?? []).map((c) => c.channel_id ?? "")])].filter(Boolean);
  const free = ids.filter((id) => !taken.has(id));
  const providerOf = (id: string) => channels?.items.find((c) => c.channel_id === id)?.provider ?? "";

  const create = async (event: Event) => {
    event.preventDefault();
    if (!channel) return;
    const live = flows.items.find((f) => f.key === "default")?.live_version ?? null;
    await attempt(async () => {  // what the channel runs now: the live default flow
      const base = live !== null ? (await flowsApi.version("default", live)).flow
        : (await flowsApi.draft("default")).flow;
      await flowsApi.saveDraft(channel, { ...base, key: channel });
    }, loaded.setProblem, () => navigate(flowPath(channel)));
  };

  return (
    <div class="flows">
      <p class="hint">{t("flows.listHint")}</p>
      {loaded.problem && <p class="error" role="alert">{loaded.problem}</p>}
      <table class="grid flow-list">
        <thead><tr><th scope="col">{t("flows.flow")}</th><th scope="col">{t("flows.liveVersion")}</th>
          <th scope="col">{t("flows.draft")}</th><th /></tr></thead>
        <tbody>
          {flows.items.map((f) => (
            <tr data-key={f.key}>
              <td>
                <a href={flowPath(f.key)} onClick={link(flowPath(f.key))}>
                  {f.key === "default" ? t("flows.default") : t("flows.channelFlow", { channel: f.key })}
                </a>
                {f.key !== "default" && providerOf(f.key) && <span class="muted"> · {providerOf(f.key)}</span>}
              </td>
              <td>{f.live_version === null ? <span class="muted">{t("flows.notPublished")}</span>
                : t("flows.versionN", { n: f.live_version })}</td>
              <td>{f.has_draft ? (
                <span class="draft-mark">{t("flows.draftChanged", {
                  at: f.draft_updated_at ? full(f.draft_updated_at) : "" })}</span>
              ) : <span class="muted">{t("flows.noDraft")}</span>}</td>
              <td><a href={flowPath(f.key)} onClick={link(flowPath(f.key))}>{t("flows.open")}</a></td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="admin-form inline" onSubmit={create}>
        <label>{t("flows.newForChannel")}
          <select value={channel} required onChange={(e) => setChannel(e.currentTarget.value)}>
            <option value="">{free.length ? t("flows.pickChannel") : t("flows.noFreeChannels")}</option>
            {free.map((id) => <option value={id}>{id}{providerOf(id) ? ` (${providerOf(id)})` : ""}</option>)}
          </select>
        </label>
        <button type="submit" class="primary" disabled={!channel}>{t("flows.createFromDefault")}</button>
      </form>
    </div>
  );
}
