// The company numbers as people know them: by their gateway ("WhatsApp Business (Meta)",
// "Wazzup", "chat-api"; Wazzup's WABA numbers as "Wazzup (WhatsApp Business)"), and where
// several numbers share a gateway also by our configured connection's name (``sales-wazzup``)
// or, without one (or with just the gateway's name), the gateway's id for the number. The
// configuration holds no display name or phone of a number, so the API offers none.
import type { ChannelList } from "../api/types";
import { t, type Key } from "../i18n";

export interface ChannelChoice {
  provider: string;
  channel_id: string;
  /** WhatsApp Business (Meta, Wazzup's WABA): only a template starts a dialogue after 24 h. */
  windowed: boolean;
  /** The gateway, with the connection's name or the number's id where several numbers share
   * the gateway. */
  label: string;
  /** As the gateway last reported it; null while it has reported nothing. */
  state: string | null;
}

/** A state in which the number sends: reported active, or not reported at all (a configured
 * connection whose gateway reports no state). */
export function usable(choice: ChannelChoice): boolean {
  return choice.state === null || choice.state === "unknown" || choice.state === "active";
}

const short = (id: string) => (id.length > 16 ? `${id.slice(0, 8)}…` : id);

const PROVIDER_LABELS: Record<string, Key> = {
  meta: "channel.provider.meta",
  wazzup: "channel.provider.wazzup",
  chat_api: "channel.provider.chatApi",
};

/** A gateway as people call it; an unknown one by its own name. */
export function providerLabel(provider: string): string {
  const key = PROVIDER_LABELS[provider];
  return key ? t(key) : provider;
}

/** Every channel known from the configuration or the gateways' reports, once each. */
export function channelChoices(list: ChannelList): ChannelChoice[] {
  const found = new Map<string, Omit<ChannelChoice, "label"> & { gateway: string }>();
  for (const c of list.connections) {
    if (c.channel_id) found.set(`${c.provider}:${c.channel_id}`, { provider: c.provider,
      channel_id: c.channel_id, windowed: c.provider === "meta", state: null,
      gateway: providerLabel(c.provider) });
  }
  for (const s of list.items) {
    const waba = s.provider === "wazzup" && s.transport === "wapi";
    found.set(`${s.provider}:${s.channel_id}`, { provider: s.provider, channel_id: s.channel_id,
      windowed: s.provider === "meta" || waba, state: s.state ?? null,
      gateway: waba ? t("channel.provider.wazzupWaba") : providerLabel(s.provider) });
  }
  const nameOf = (c: { provider: string; channel_id: string }): string | null => {
    const named = list.connections.find((x) => x.channel_id === c.channel_id);
    // a connection configured without its number is the only one of its gateway: it is that one
    const alone = list.connections.filter((x) => x.provider === c.provider);
    const name = named ? named.id
      : alone.length === 1 && !alone[0]!.channel_id ? alone[0]!.id : null;
    return name === c.provider ? null : name;  // the gateway's own name tells nothing more
  };
  const all = [...found.values()];
  return all.map(({ gateway, ...c }) => {
    const siblings = all.filter((o) => o.provider === c.provider);
    if (siblings.length === 1) return { ...c, label: gateway };
    const name = nameOf(c);
    const named = name !== null && siblings.filter((o) => nameOf(o) === name).length === 1;
    const which = named ? name : name ? `${name} · ${short(c.channel_id)}` : short(c.channel_id);
    return { ...c, label: `${gateway} · ${which}` };
  });
}

/** The channel a new dialogue starts on unless the person picks another: the first that sends
 * and takes a plain first message, else the first that sends, else the first (the only one). */
export function preferred(choices: ChannelChoice[]): ChannelChoice | undefined {
  return choices.find((c) => usable(c) && !c.windowed) ?? choices.find(usable) ?? choices[0];
}
