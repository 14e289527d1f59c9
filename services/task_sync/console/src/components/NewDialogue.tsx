import { useEffect, useState } from "preact/hooks";
import { ApiError, api } from "../api/client";
import type { Contact, TemplateSend } from "../api/types";
import { t } from "../i18n";
import { channelChoices, preferred, usable, type ChannelChoice } from "../lib/channels";
import { navigate, taskPath } from "../lib/router";
import { Dialog } from "./Dialog";
import { TemplateFields } from "./TemplateComposer";

export function NewDialogue({ onClose }: { onClose: () => void }) {
  const [channels, setChannels] = useState<ChannelChoice[]>([]);
  const [channel, setChannel] = useState("");
  const [query, setQuery] = useState("");
  const [found, setFound] = useState<Contact[]>([]);
  const [contact, setContact] = useState<Contact | null>(null);
  const [phone, setPhone] = useState("");
  const [text, setText] = useState("");
  const [useTemplate, setUseTemplate] = useState(false);
  const [template, setTemplate] = useState<TemplateSend>({ template_id: "", template_values: [],
    template_language: "ru" });
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.channels().then((list) => {
      const options = channelChoices(list);
      setChannels(options);
      const first = preferred(options);
      if (first) setChannel(`${first.provider}:${first.channel_id}`);
    }, (exc: unknown) => setProblem(exc instanceof ApiError ? exc.reason : String(exc)));
  }, []);
  useEffect(() => {
    if (query.trim().length < 2) return setFound([]);
    const timer = window.setTimeout(() => {
      api.contacts(query.trim()).then((r) => setFound(r.items.slice(0, 8)), () => setFound([]));
    }, 250);
    return () => window.clearTimeout(timer);
  }, [query]);

  const picked = channels.find((c) => `${c.provider}:${c.channel_id}` === channel);
  useEffect(() => setUseTemplate(!!picked?.windowed), [channel, channels.length]);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!picked) return;
    setBusy(true);
    setProblem(null);
    try {
      const body = { channel_id: picked.channel_id, provider: picked.provider,
        ...(contact ? { contact_id: contact.id } : { phone: phone.replace(/\D/g, "") }),
        ...(useTemplate ? { template_id: template.template_id, template_values: template.template_values,
          template_language: template.template_language ?? undefined } : { text }) };
      const started = await api.startConversation(body);
      onClose();
      navigate(taskPath(started.task.id, "mine"));
    } catch (exc) {
      if (exc instanceof ApiError && exc.code === "window_closed") setUseTemplate(true);
      setProblem(exc instanceof ApiError ? exc.reason : String(exc));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={t("new.title")} onClose={onClose}>
      <form class="new-dialogue" onSubmit={submit}>
        <label>
          {t("new.channel")}
          <select name="channel" value={channel} onChange={(e) => setChannel(e.currentTarget.value)}>
            {channels.map((c) => (
              <option value={`${c.provider}:${c.channel_id}`} title={c.channel_id}>
                {usable(c) ? c.label : t("new.channelState", { channel: c.label, state: c.state ?? "" })}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("new.contact")}
          <input type="search" value={contact ? contact.name : query} placeholder={t("new.contactSearch")}
                 onInput={(e) => { setContact(null); setQuery(e.currentTarget.value); }} />
        </label>
        {!contact && found.length > 0 && (
          <ul class="suggest">
            {found.map((c) => (
              <li><button type="button" class="link" onClick={() => { setContact(c); setFound([]); }}>
                {c.name} · {c.phones.join(", ")}
              </button></li>
            ))}
          </ul>
        )}
        {!contact && (
          <label>
            {t("new.phone")}
            <input name="phone" type="tel" inputMode="tel" value={phone} required
                   onInput={(e) => setPhone(e.currentTarget.value)} />
          </label>
        )}
        {picked?.windowed && <p class="hint">{t("new.windowHint")}</p>}
        <label class="check">
          <input type="checkbox" checked={useTemplate} onChange={(e) => setUseTemplate(e.currentTarget.checked)} />
          {t("new.useTemplate")}
        </label>
        {useTemplate && picked
          ? <TemplateFields provider={picked.provider} value={template} onChange={setTemplate} />
          : (
            <label>
              {t("new.text")}
              <textarea name="text" rows={3} value={text} required
                        onInput={(e) => setText(e.currentTarget.value)} />
            </label>
          )}
        {problem && <p class="error" role="alert">{problem}</p>}
        <button type="submit" class="primary" disabled={busy || !picked}>{t("new.start")}</button>
      </form>
    </Dialog>
  );
}
