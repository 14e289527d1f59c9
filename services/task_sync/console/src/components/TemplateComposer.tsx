import { useEffect, useState } from "preact/hooks";
import { ApiError, api } from "../api/client";
import type { CommentView, TaskDetail, Template, TemplateSend } from "../api/types";
import { t } from "../i18n";

/** The fields of a template message: a listed template and its parameters, or (when the
 * channel lists none) the name of an approved one. */
export function TemplateFields({ provider, value, onChange }: {
  provider: string; value: TemplateSend; onChange: (v: TemplateSend) => void;
}) {
  const [templates, setTemplates] = useState<Template[] | null>(null);
  useEffect(() => {
    let timer: number | undefined;
    const load = (again: number) => api.templates(provider).then((r) => {
      setTemplates(r.items.filter((x) => x.provider === provider && x.status.toLowerCase() === "approved"));
      // an empty or old list is being fetched from the gateway: look again shortly
      if (r.refreshing && again > 0) timer = window.setTimeout(() => void load(again - 1), 1500);
    }, () => setTemplates([]));
    void load(3);
    return () => window.clearTimeout(timer);
  }, [provider]);

  const chosen = templates?.find((tpl) => tpl.send_as === value.template_id
    && (tpl.language === value.template_language || !value.template_language));
  const body = chosen?.parameters.filter((p) => p.component === "body") ?? [];
  const listed = !!templates && templates.length > 0;
  // a listed template says how many values it takes; a typed name takes what is typed
  const count = chosen ? body.length : listed ? 0 : Math.max(1, value.template_values.length);
  const setParam = (i: number, v: string) => {
    const values = Array.from({ length: count }, (_, n) => value.template_values[n] ?? "");
    values[i] = v;
    onChange({ ...value, template_values: values });
  };
  const key = (tpl: Template) => `${tpl.send_as}|${tpl.language}`;
  if (templates === null) return <p class="hint" role="status">{t("app.loading")}</p>;
  return (
    <div class="template-fields">
      {listed ? (
        <label>
          {t("template.pick")}
          <select value={chosen ? key(chosen) : ""} required onChange={(e) => {
            const tpl = templates.find((x) => key(x) === e.currentTarget.value);
            onChange({ template_id: tpl?.send_as ?? "", template_language: tpl?.language ?? null,
              template_values: (tpl?.parameters ?? []).filter((p) => p.component === "body")
                .map(() => "") });
          }}>
            <option value="" />
            {templates.map((tpl) => <option value={key(tpl)}>{tpl.name} ({tpl.language})</option>)}
          </select>
        </label>
      ) : (
        <>
          <p class="hint">{t("template.none")}</p>
          <label>
            {t("template.name")}
            <input name="template_id" required value={value.template_id}
                   onInput={(e) => onChange({ ...value, template_id: e.currentTarget.value })} />
          </label>
          <label>
            {t("template.language")}
            <input name="template_language" value={value.template_language ?? ""} size={5}
                   onInput={(e) => onChange({ ...value, template_language: e.currentTarget.value || null })} />
          </label>
        </>
      )}
      {Array.from({ length: count }, (_, i) => (
        <label>
          {t("template.param", { n: i + 1 })}
          <input name={`template_param_${i + 1}`} value={value.template_values[i] ?? ""}
                 placeholder={body[i]?.example ?? ""}
                 onInput={(e) => setParam(i, e.currentTarget.value)} />
        </label>
      ))}
      {!listed && (
        <button type="button" class="link" onClick={() => onChange({ ...value, template_values:
          [...Array.from({ length: count }, (_, n) => value.template_values[n] ?? ""), ""] })}>
          + {t("template.param", { n: count + 1 })}
        </button>
      )}
      {chosen?.text && <p class="template-text" data-testid="template-preview">{filled(chosen.text, body, value.template_values)}</p>}
    </div>
  );
}

/** The template's body as the customer will read it: each value in its parameter's place (an
 * empty one keeps its ``{{n}}``), as the server stores the sent message. */
function filled(text: string, body: { name: string }[], values: string[]): string {
  return text.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (found, name: string) =>
    values[body.findIndex((p) => p.name === name)] || found);
}

/** The composer when WhatsApp's 24-hour window is closed: only a template may go. */
export function TemplateComposer({ task, onSent }: {
  task: TaskDetail; onSent: (c: CommentView) => void;
}) {
  const [value, setValue] = useState<TemplateSend>({ template_id: "", template_values: [],
    template_language: "ru" });
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      onSent(await api.postTemplate(task.id, { ...value,
        template_values: value.template_values.map((v) => v.trim()) }));
      setValue({ template_id: "", template_values: [], template_language: "ru" });
    } catch (exc) {
      setProblem(t("composer.failed", { reason: exc instanceof ApiError ? exc.reason : String(exc) }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="composer composer-template" onSubmit={submit} aria-label={t("template.title")}
          data-blocked="window">
      <p class="warn" role="status">{t("composer.windowClosed")}</p>
      <TemplateFields provider={task.chat.provider} value={value} onChange={setValue} />
      <button type="submit" class="primary" disabled={busy || !value.template_id}>{t("template.send")}</button>
      {problem && <p class="error" role="alert">{problem}</p>}
    </form>
  );
}
