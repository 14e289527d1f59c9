// The shapes of services/task_sync/CONSOLE_API.md, as the console reads them.

export type Role = "admin" | "supervisor" | "manager";

export interface GroupRef {
  id: string;
  name: string;
}

export interface Me {
  id: string;
  login: string;
  full_name: string;
  role: Role;
  group_ids: string[];
  groups: GroupRef[];
  csrf_token: string;
  /** The configured names of the bot, manager and closed statuses. */
  statuses?: string[];
}

export interface ChatRef {
  provider: string;
  channel_id: string;
  chat_type: string;
  chat_id: string;
}

export interface Task {
  id: string;
  title: string;
  status: string;
  chat: ChatRef;
  phone?: string | null;
  contact_id?: string | null;
  contact_name?: string | null;
  assignee_user_id?: string | null;
  assignee_group_id?: string | null;
  created_at: string;
  updated_at?: string;
  /** The response deadline while the customer waits for us (first or next response). */
  sla_due_at?: string | null;
  sla_kind?: "first" | "next" | string | null;
}

export type Direction = "in" | "out";

export interface TaskSummary extends Task {
  last_activity_at?: string | null;
  last_preview?: string | null;
  last_direction?: Direction | null;
  /** Who wrote the newest message: the inbox writes "Бот:" or "Вы:" in front of an answer. */
  last_author_kind?: string | null;
  unread?: number;
  window_expires_at?: string | null;
}

export type InboxView = "mine" | "queue" | "all" | "closed";

export interface InboxCounts {
  mine: number;
  queue: number;
  all: number | null;
  closed: number;
  unread: number;
  /** A list's count stops here: equal to it means "at least" (shown as cap-1 "+"). */
  cap?: number;
}

export interface InboxPage {
  items: TaskSummary[];
  next: string | null;
}

export interface InboxQuery {
  view: InboxView;
  status?: string;
  provider?: string;
  channel_id?: string;
  assignee?: string;
  q?: string;
  text?: boolean;
  before?: string | null;
  limit?: number;
  /** "due": only tasks with a response deadline, the soonest first. */
  sort?: "activity" | "due";
}

export interface Contact {
  id: string;
  name: string;
  phones: string[];
  responsible_user_id?: string | null;
}

export interface Permissions {
  post: boolean;
  claim: boolean;
  assign: boolean;
  close: boolean;
  reopen: boolean;
}

export interface TaskDetail extends Task {
  window?: { applies: boolean; expires_at: string | null; open: boolean };
  /** ``name``: our connection the chat is on (``sales-wazzup``). */
  channel?: { name?: string | null; state: string; provider: string; last_webhook_at?: string | null } | null;
  contact?: Contact | null;
  assignee?: { id: string; full_name: string } | null;
  group?: GroupRef | null;
  permissions?: Permissions;
  /** What the chat's gateway carries besides messages (the console offers only that). */
  gateway?: { reactions: boolean; typing: boolean; read_marks: boolean };
  last_activity_at?: string | null;
  /** The configured names of the three statuses (defaults: Диалог с ботом, … с менеджером, Закрыта). */
  statuses?: { bot: string; manager: string; closed: string };
}

export type Delivery = "queued" | "waiting" | "sent" | "delivered" | "read" | "played" | "failed"
  /** Posted after the 24-hour window closed: goes out when the customer writes again. */
  | "held" | "cancelled";
export type AuthorKind = "customer" | "bot" | "user" | "participant" | "system";

export interface Attachment {
  id: string;
  file_name: string;
  mime_type: string;
  state: "pending" | "waiting" | "stored" | "failed";
  size?: number | null;
  reason?: string | null;
  url: string;
}

export interface Reaction {
  emoji: string;
  by?: string | null;
  /** "out": our business number's (any manager's: WhatsApp keeps one per message). */
  direction?: Direction;
}

export interface CommentView {
  id: string;
  task_id?: string;
  order: number;
  at: string;
  author_kind: AuthorKind;
  direction: Direction;
  text: string;
  content_type?: string;
  author_name?: string | null;
  sender_name?: string | null;
  delivery?: Delivery | null;
  failure_code?: string | null;
  failure_reason?: string | null;
  reply_to_comment_id?: string | null;
  edited?: boolean | null;
  deleted?: boolean | null;
  current_text?: string | null;
  template_id?: string | null;
  gateway_message_id?: string | null;
  attachments?: Attachment[];
  /** The quoted snippet; ``content_type`` is the console's own, from the quoted message when it
   * holds it (to show a media placeholder in the person's language). */
  reply_to?: { id: string; author_name?: string | null; text: string; content_type?: string } | null;
  /** What the message shows under it (folded by the server from the same page). */
  reactions?: Reaction[];
  /** A reaction comment's emoji ("" takes the reaction back). */
  reaction?: string | null;
}

export interface CommentPage {
  items: CommentView[];
  has_more?: boolean;
}

export interface Revision {
  kind: "edited" | "deleted";
  at: string;
  text?: string | null;
}

export interface RevisionList {
  original_text: string;
  items: Revision[];
}

export interface TemplateParameter {
  component: "header" | "body" | "button" | string;
  name: string;
  example?: string;
}

/** A template as its gateway lists it; a send names it by ``send_as`` (Meta: the name, with
 * the language; Wazzup: the template's GUID). */
export interface Template {
  id: string;
  provider: string;
  connection?: string;
  send_as: string;
  name: string;
  language: string;
  status: string;
  category?: string | null;
  text?: string;
  parameters: TemplateParameter[];
}

export interface TemplateSend {
  template_id: string;
  template_values: string[];
  template_language?: string | null;
}

export interface User {
  id: string;
  full_name: string;
  login?: string | null;
  role?: Role;
  phones?: string[];
  group_ids?: string[];
  is_admin?: boolean;
  is_service?: boolean;
}

export interface ChannelState {
  channel_id: string;
  provider: string;
  state: string;
  updated_at?: string;
  transport?: string | null;
  tier?: string | null;
  last_webhook_at?: string | null;
}

export interface Connection {
  id: string;
  provider: string;
  channel_id: string | null;
  rate_per_second?: number;
}

export interface ChannelList {
  connections: Connection[];
  items: ChannelState[];
}

export interface DeadLetterQueue {
  queue: string;
  count: number;
}

export interface DeadLetter {
  id?: string;
  routing_key?: string;
  reason?: string;
  body?: unknown;
  headers?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface AuditEntry {
  id?: string;
  at: string;
  actor_id?: string | null;
  actor_name?: string | null;
  via?: "token" | "session" | "system";
  action: string;
  target_kind?: string | null;
  target_id?: string | null;
  details?: Record<string, unknown>;
}

export interface ImportReport {
  imported: number;
  /** ``code`` (and ``params``) say why, for the console's sentence; ``reason`` in English. */
  rejected: { row: number; reason: string; code?: string; params?: Record<string, string> }[];
}

export interface StartConversation {
  channel_id: string;
  provider: string;
  contact_id?: string;
  phone?: string;
  text?: string;
  template_id?: string;
  template_values?: string[];
  template_language?: string;
}

// The live stream's events (GET /api/v1/events).
export interface CommentPatch {
  task_id: string;
  comment_id: string;
  delivery?: Delivery;
  failure_code?: string | null;
  failure_reason?: string | null;
  edited?: boolean;
  deleted?: boolean;
  current_text?: string | null;
  attachment?: Attachment;
  reactions?: Reaction[];
}

export type LiveEvent =
  | { type: "task.created"; task_id: string; task: TaskSummary }
  | { type: "task.updated"; task_id: string; task: TaskSummary }
  | { type: "comment.added"; task_id: string; comment: CommentView }
  | ({ type: "comment.updated" } & CommentPatch)
  | { type: "notice"; task_id: string; kind: string; text: string }
  | { type: "sla.breached"; task_id: string; kind: string; due_at: string }
  /** Events were lost (a reconnect after too long): reload what is shown. */
  | { type: "reset"; task_id?: undefined };

export interface Problem {
  error: string;
  reason?: string;
}

/** Something I am told: a task forwarded away from me, a missed deadline, a closing window. */
export interface Notice {
  id: string;
  at: string;
  kind: "task.forwarded" | "sla.breached" | "window.closing" | string;
  task_id: string;
  text: string;
  details?: Record<string, string>;
  read?: boolean;
}

export interface NoticeList {
  items: Notice[];
  unread: number;
}
