import { api } from "../../api/client";
import { t } from "../../i18n";
import { full } from "../../lib/time";
import { useLoad } from "./useLoad";

export function Channels() {
  const channels = useLoad(() => api.channels());
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
            <tr>
              <td>{c.channel_id}{c.transport ? ` (${c.transport})` : ""}</td><td>{c.provider}</td>
              <td><span class={`state state-${c.state}`}>{c.state}</span></td>
              <td>{c.updated_at ? full(c.updated_at) : ""}</td>
              <td>{c.last_webhook_at ? full(c.last_webhook_at) : ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
