import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "../../../api/client";
import {
  flowsApi, type FlowNode, type SimEffect, type SimMessage, type SimReply, type Simulation,
  type VersionChoice, type VersionSummary,
} from "../../../api/flows";
import type { GroupRef } from "../../../api/types";
import { t } from "../../../i18n";
import { find, label, pathTo } from "./tree";

type Look = "buttons" | "numbered";

interface Props {
  flowKey: string;
  versions: VersionSummary[];
  groups: GroupRef[];
  root: FlowNode;
  /** The saved draft's time: the draft's simulation runs again when it changes. */
  draftStamp: string | null;
  dirty: boolean;
  onSave: () => void;
  onShowNode: (id: string) => void;
}

/** A chat with the bot as a customer would have it, run by the server on the draft or a
 * version, without side effects: each message replays the whole conversation. */
export function Simulator({ flowKey, versions, groups, root, draftStamp, dirty, onSave, onShowNode }: Props) {
  const [messages, setMessages] = useState<SimMessage[]>([]);
  const [sim, setSim] = useState<Simulation | null>(null);
  const [version, setVersion] = useState<VersionChoice>("draft");
  const [at, setAt] = useState("");
  const [phone, setPhone] = useState("");
  const [typed, setTyped] = useState("");
  const [look, setLook] = useState<Look>("buttons");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const log = useRef<HTMLOListElement>(null);

  const run = async (next: SimMessage[]) => {
    if (!next.length) {
      setMessages([]);
      setSim(null);
      return true;
    }
    setBusy(true);
    try {
      const result = await flowsApi.simulate({ key: flowKey, version, messages: next,
        at: at ? new Date(at).toISOString() : null, phone: phone.trim() || null });
      setMessages(next);
      setSim(result);
      setProblem(null);
      return true;
    } catch (exc) {
      setProblem(exc instanceof ApiError ? exc.reason : String(exc));
      return false;
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => { void run(messages); }, [version, at, version === "draft" ? draftStamp : null]);
  useEffect(() => {
    log.current?.lastElementChild?.scrollIntoView({ block: "end" });
  }, [sim]);

  const send = (message: SimMessage) => run([...messages, message]);
  const submit = async (event: Event) => {
    event.preventDefault();
    const text = typed.trim();
    if (!text) return;
    setTyped("");  // cleared at once: what is typed while the bot "answers" is the next message
    if (!await send({ text })) setTyped((now) => now || text);
  };

  const steps = sim?.steps ?? [];
  return (
    <section class="simulator" aria-labelledby="sim-title">
      <header class="sim-head">
        <h2 id="sim-title">{t("flows.sim.title")}</h2>
        <button type="button" class="link" onClick={() => void run([])}
                disabled={!messages.length}>{t("flows.sim.reset")}</button>
      </header>
      <div class="sim-options">
        <label><span class="sim-label">{t("flows.sim.version")}</span>
          <select value={version === null ? "live" : String(version)}
                  onChange={(e) => {
                    const v = e.currentTarget.value;
                    setVersion(v === "draft" ? "draft" : v === "live" ? null : Number(v));
                  }}>
            <option value="draft">{t("flows.sim.draft")}</option>
            <option value="live">{t("flows.sim.live")}</option>
            {versions.map((v) => <option value={String(v.version)}>{t("flows.versionN", { n: v.version })}</option>)}
          </select>
        </label>
        <label><span class="sim-label">{t("flows.sim.at")}</span>
          <input type="datetime-local" value={at} onChange={(e) => setAt(e.currentTarget.value)} />
        </label>
        <details class="sim-more">
          <summary>{t("flows.sim.more")}</summary>
          <div class="sim-options">
            <label><span class="sim-label">{t("flows.sim.look")}</span>
              <select value={look} onChange={(e) => setLook(e.currentTarget.value as Look)}>
                <option value="buttons">{t("flows.sim.lookButtons")}</option>
                <option value="numbered">{t("flows.sim.lookNumbered")}</option>
              </select>
            </label>
            <label><span class="sim-label">{t("flows.sim.phone")}</span>
              <input type="tel" value={phone} placeholder="79990001122"
                     onChange={(e) => setPhone(e.currentTarget.value)} />
            </label>
          </div>
        </details>
      </div>
      {dirty && version === "draft" && (
        <p class="warn sim-unsaved">{t("flows.sim.unsaved")}{" "}
          <button type="button" class="link" onClick={onSave}>{t("flows.save")}</button></p>
      )}
      <ol class="sim-log" ref={log} aria-live="polite" aria-label={t("flows.sim.log")}>
        {!steps.length && <li class="sim-empty">{t("flows.sim.empty")}</li>}
        {steps.map((step, i) => (
          <li class="sim-step" data-step={i}>
            <Bubble side="in" text={said(messages[i] ?? step.input)} tapped={!!(messages[i]?.payload)} />
            {step.replies.map((reply) => (
              <Reply reply={reply} look={look} disabled={busy}
                     onTap={(c) => void send({ text: c.title, payload: c.id })} />
            ))}
            <StepFacts step={step} groups={groups} root={root} onShowNode={onShowNode}
                       hoursChanged={i === 0 ? step.open === false : step.open !== null
                         && step.open !== undefined && step.open !== steps[i - 1]!.open} />
          </li>
        ))}
      </ol>
      {problem && <p class="error" role="alert">{problem}</p>}
      <form class="sim-compose" onSubmit={(e) => void submit(e)}>
        <label class="sr-only" for="sim-input">{t("flows.sim.input")}</label>
        <input id="sim-input" value={typed} autoComplete="off" placeholder={t("flows.sim.input")}
               onInput={(e) => setTyped(e.currentTarget.value)} />
        <button type="submit" class="primary" disabled={busy || !typed.trim()}>{t("flows.sim.send")}</button>
      </form>
    </section>
  );
}

function said(input: SimMessage | string | undefined): string {
  if (input === undefined) return "";
  return typeof input === "string" ? input : input.text || input.payload || "";
}

function Bubble({ side, text, tapped = false }: { side: "in" | "out"; text: string; tapped?: boolean }) {
  return (
    <div class={`sim-bubble sim-${side}`}>
      <span class="sr-only">{side === "in" ? t("flows.sim.customer") : t("flows.sim.bot")}: </span>
      {tapped && <span class="sim-tapped" title={t("flows.sim.tapped")}>▸ <span class="sr-only">{t("flows.sim.tapped")}</span></span>}
      <p class="text">{text}</p>
    </div>
  );
}

/** A bot reply as the customer sees it: Meta buttons or a list, or numbered text. */
function Reply({ reply, look, onTap, disabled }: {
  reply: SimReply; look: Look; onTap: (choice: { id: string; title: string }) => void; disabled: boolean;
}) {
  const choices = reply.choices ?? [];
  const offered = choices.length > 0 && reply.offer && reply.offer !== "text";
  if (look === "numbered" && offered) {
    const numbered = typeof reply.numbered === "string" ? reply.numbered
      : [reply.text, ...choices.map((c, i) => `${i + 1}. ${c.title}`)].join("\n");
    return <Bubble side="out" text={numbered} />;
  }
  return (
    <div class="sim-reply">
      <Bubble side="out" text={reply.text} />
      {offered && (
        <div class={`sim-choices sim-${reply.offer}`} role="group" aria-label={t(`flows.offer.${reply.offer!}`)}>
          {choices.map((c) => (
            <button type="button" disabled={disabled} data-payload={c.id} onClick={() => onTap(c)}>{c.title}</button>
          ))}
        </div>
      )}
    </div>
  );
}

/** Where the step left the customer, what the bot did, and the hours when they change. */
function StepFacts({ step, groups, root, onShowNode, hoursChanged }: {
  step: Simulation["steps"][number]; groups: GroupRef[]; root: FlowNode; onShowNode: (id: string) => void;
  hoursChanged: boolean;
}) {
  const node = step.node_id ? find(root, step.node_id) : null;
  const path = node ? pathTo(root, node.id).slice(1).map((id) => label(find(root, id)!)) : [];
  return (
    <div class="sim-facts">
      {step.node_id && (
        <button type="button" class="link sim-node" onClick={() => onShowNode(step.node_id!)}
                title={t("flows.sim.showNode")}>→ {node ? (path.join(" › ") || label(node)) : step.node_id}</button>
      )}
      {hoursChanged && (
        <span class={`fx fx-${step.open ? "open" : "closed"}`}>
          {step.open ? t("flows.sim.openHours") : t("flows.sim.closedHours")}</span>
      )}
      {step.effects.map((e) => (
        <span class={`fx fx-${e.type}`} title={typeof e.would === "string" ? e.would : undefined}>
          {effectText(e, groups)}</span>
      ))}
      {step.handed_over && <span class="fx fx-hand_over">{t("flows.sim.withPeople")}</span>}
    </div>
  );
}

function effectText(effect: SimEffect, groups: GroupRef[]): string {
  const { type, ...rest } = effect;
  const str = (v: unknown) => (v === undefined || v === null ? "" : String(v));
  switch (type) {
    case "hand_over": {
      const group = str(rest.group_id);
      return group ? t("flows.fx.handOverGroup", { group: groups.find((g) => g.id === group)?.name ?? group })
        : t("flows.fx.handOver");
    }
    case "set_status": return t("flows.fx.status", { status: str(rest.status) });
    case "close": return t("flows.fx.close");
    case "store_field":
      return t("flows.fx.field", { field: str(rest.field), value: str(rest.value) });
    case "lookup":
      return t("flows.fx.lookup", { number: str(rest.number) });
    default: {
      const details = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : str(v)}`);
      return [type, ...details].join(" ");
    }
  }
}
