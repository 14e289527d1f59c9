import { useEffect } from "preact/hooks";
import { api } from "../../api/client";
import { t } from "../../i18n";
import { ago, full } from "../../lib/time";
import { useLoad } from "./useLoad";

// ingest reports a channel's last webhook at most every 30 s: reloading as often keeps it current
const REFRESH_MS = 30_000;

export function Channels() {
  const channels = useLoad(() => api.channels());
  useEffect(() => {
    const timer = window.setInterval(() => void channels.reload(), REFRESH_MS);
    return () => window.clearInterval(timer);
  }, []);
  const data = channels.data;
  return (
    <>
      {channels.problem && <p class="error" role="alert">{channels.problem}</p>}
      <table class="grid">
        <thead><tr><th>{t("admin.connection")}</th><th>{t("admin.provider")}</th><th>{t("card.channel")}</th></tr></thead>
        <tbody>
          {(data?.connections ?? []).map((c) => <tr><td>{c.id}</td><td>{c.provider}</td><td>{c.channel_id ?? ""}</td></tr>)}
        </tbody>
      </table>
      <table class="grid">
        <thead><tr><th>{t("card.channel")}</th><th>{t("admin.provider")}</th><th>{t("admin.state")}</th>
          <th>{t("admin.updated")}</th><th>{t("admin.lastWebhook")}</th></tr></thead>
        <tbody>
          {(data?.items ?? []).map((c) => (
            <tr data-channel-id={c.channel_id}>
              <td>{c.channel_id}{c.transport ? ` (${c.transport})` : ""}</td><td>{c.provider}</td>
              <td><span class={`state state-${c.state}`}>{c.state}</span></td>
              <td>{c.updated_at ? full(c.updated_at) : ""}</td>
              <td class="last-webhook">{c.last_webhook_at
                && <time dateTime={c.last_webhook_at} title={full(c.last_webhook_at)}>
                  {ago(c.last_webhook_at)}</time>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
