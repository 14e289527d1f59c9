// The bot's flows (issue 12): the types of shared/domain/flows.py as the API serves them, and
// the calls of /api/v1/flows (drafts, publishing, versions, YAML, simulator, replay, hours).
import { request } from "./client";

export type Offer = "text" | "buttons" | "list";
export type HoursCondition = "any" | "open" | "closed";

export interface Triggers {
  codes?: string[];
  keywords?: string[];
  payloads?: string[];
}

export interface FlowAttachment {
  file_id: string;
  file_name: string;
  mime_type: string;
  size?: number;
}

export interface HandOverAction { type: "hand_over"; group_id?: string | null }
export interface SetStatusAction { type: "set_status"; status: string }
export interface CloseAction { type: "close" }
export interface AskAction {
  type: "ask";
  field: string;
  pattern: string;
  reask_text: string;
  max_tries?: number;
  done_text?: string;
  then?: string | null;
}
export interface LookupStatusAction {
  type: "lookup_status";
  reask_text: string;
  not_found_text: string;
  answer_template?: string;
  pattern?: string;
  max_tries?: number;
}
export type Action = HandOverAction | SetStatusAction | CloseAction | AskAction | LookupStatusAction;
export type ActionType = Action["type"];

export interface FlowNode {
  id: string;
  title?: string;
  triggers?: Triggers;
  answer?: string;
  attachment?: FlowAttachment | null;
  offer?: Offer;
  children?: FlowNode[];
  action?: Action | null;
  hours?: HoursCondition;
}

export interface OpeningHours { day: string; start: string; end: string }

export interface BusinessCalendar {
  timezone?: string;
  hours?: OpeningHours[];
  holidays_country?: string | null;
  holidays_subdivision?: string | null;
  closed_dates?: string[];
}

export interface Navigation { back: string[]; main: string[] }

export interface FlowSet {
  key?: string;
  root: FlowNode;
  navigation?: Navigation;
  unmatched?: "hand_over" | "repeat";
  handover_text?: string;
  repeat_text?: string;
  hours?: BusinessCalendar | null;
  closed_text?: string;
  closed_handover_text?: string;
}

/** Why a flow set cannot be published; ``node_id`` "" is the set itself. */
export interface FlowProblem { node_id: string; code: string; message: string }

/** The task system's statuses a node's ``set_status`` may name (publishing refuses any other):
 * the bot's, the managers' and the closed one (which closes the task). */
export interface TaskStatuses { bot: string; manager: string; closed: string }

export interface FlowSummary {
  key: string;
  live_version: number | null;
  has_draft: boolean;
  draft_updated_at: string | null;
}

export interface FlowDraft {
  key: string;
  flow: FlowSet;
  base_version: number | null;
  updated_at: string | null;
  updated_by: string | null;
  problems: FlowProblem[];
}

export interface FlowVersion {
  key: string;
  version: number;
  flow: FlowSet;
  published_at: string;
  published_by: string | null;
  note: string;
}

export interface VersionSummary {
  version: number;
  published_at: string;
  published_by: string | null;
  note: string;
  live: boolean;
}

/** What the simulator runs: the draft, a published version, or (null) the live one. */
export type VersionChoice = number | "draft" | null;

export interface SimMessage { text: string; payload?: string | null; kind?: string }

export interface SimChoice { id: string; title: string }

export interface SimReply {
  text: string;
  numbered?: string | boolean | null;
  offer?: Offer;
  choices?: SimChoice[];
  node_id?: string | null;
}

export interface SimEffect { type: string; [field: string]: unknown }

export interface SimStep {
  input: SimMessage | string;
  replies: SimReply[];
  effects: SimEffect[];
  node_id?: string | null;
  state?: unknown;
  open?: boolean;
  handed_over?: boolean;
}

export interface Simulation { key?: string; version: number | "draft" | null; steps: SimStep[] }

export interface ReplayDifference {
  index: number;
  input: SimMessage | string;
  live: unknown[];
  draft: unknown[];
}

export interface ReplayItem {
  task_id: string;
  title: string;
  at: string;
  live_handed_over: boolean;
  draft_handed_over: boolean;
  differences: ReplayDifference[];
}

export interface ReplayReport {
  compared: number;
  differing: number;
  items: ReplayItem[];
  live_version?: number | null;
  days?: number;
  capped?: { conversations: boolean; conversations_with_more_messages: number;
             max_conversations: number; max_messages: number };
}

const enc = encodeURIComponent;
const base = (key: string) => `/flows/${enc(key)}`;

export const flowsApi = {
  list: () => request<{ items: FlowSummary[] }>("GET", "/flows"),
  statuses: () => request<TaskStatuses>("GET", "/flows/statuses"),
  draft: (key: string) => request<FlowDraft>("GET", `${base(key)}/draft`),
  saveDraft: (key: string, flow: FlowSet) => request<FlowDraft>("PUT", `${base(key)}/draft`, flow),
  discardDraft: (key: string) => request<void>("DELETE", `${base(key)}/draft`),
  publish: (key: string, note: string, baseUpdatedAt: string | null) =>
    request<FlowVersion>("POST", `${base(key)}/publish`, { note, base_updated_at: baseUpdatedAt }),
  versions: (key: string) => request<{ items: VersionSummary[] }>("GET", `${base(key)}/versions`),
  version: (key: string, n: number) => request<FlowVersion>("GET", `${base(key)}/versions/${n}`),
  /** A copy of version ``n`` published as the next version. */
  restore: (key: string, n: number) =>
    request<FlowVersion>("POST", `${base(key)}/versions/${n}/restore`),
  /** The address of a YAML download (a link, not a request). */
  exportUrl: (key: string, version: number | "draft" | "live") =>
    `/api/v1${base(key)}/export?version=${enc(String(version))}`,
  importYaml: (key: string, yaml: string) => request<FlowDraft>("POST", `${base(key)}/import`,
    yaml, undefined, { "Content-Type": "application/yaml" }),
  simulate: (body: { key: string; version: VersionChoice; messages: SimMessage[];
                     at?: string | null; phone?: string | null }) =>
    request<Simulation>("POST", "/flows/simulate", body),
  replay: (key: string, days: number, version: VersionChoice) =>
    request<ReplayReport>("POST", `${base(key)}/replay`, { days, version }),
  hours: async (key: string) =>
    (await request<{ hours: BusinessCalendar | null }>("GET", `${base(key)}/hours`)).hours,
  saveHours: (key: string, hours: BusinessCalendar | null) =>
    request<FlowDraft>("PUT", `${base(key)}/hours`, { hours }),
  /** Store a file for a node's answer; what the node's ``attachment`` holds. */
  uploadFile: (file: File) => {
    const form = new FormData();
    form.append("file", file, file.name);
    return request<FlowAttachment>("POST", "/files", form);
  },
};
