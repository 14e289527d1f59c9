// The one typed client of the operator API: same origin, the session cookie, the CSRF token
// kept in memory only (never in localStorage), errors as ApiError with the server's code.
import type {
  AuditEntry, ChannelList, CommentPage, CommentView, Contact, DeadLetter, DeadLetterQueue,
  GroupRef, ImportReport, InboxCounts, InboxPage, InboxQuery, Me, NoticeList, Problem, RevisionList,
  StartConversation, Task, TaskDetail, Template, TemplateSend, User,
} from "./types";
import type { AgentState, Availability, Report, ReportQuery } from "./reportTypes";
import { errorText, fieldOf } from "../lib/errors";

const BASE = "/api/v1";

/** A refused or failed request. ``code`` is the server's machine code (``network`` when the
 * server was not reached), ``field`` the body's field a validation error names. ``reason`` and
 * ``message`` are the sentence a person reads, in the current language (lib/errors.ts); the
 * server's own English words stay in ``serverReason``, for support. */
export class ApiError extends Error {
  readonly field: string | null;

  constructor(
    readonly status: number,
    readonly code: string,
    readonly serverReason: string,
    readonly body?: unknown,
  ) {
    super();
    this.name = "ApiError";
    this.field = fieldOf(code, serverReason);
    // read when shown, so it follows the language chosen meanwhile
    Object.defineProperty(this, "message", { get: () => this.reason, configurable: true });
  }

  /** What went wrong, as a sentence in the current language. */
  get reason(): string {
    return errorText(this);
  }

  override toString(): string {
    return this.reason;
  }
}

let csrfToken = "";
let onSignedOut: () => void = () => {};

/** Called when any request answers 401: the session ended. */
export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

type Query = Record<string, string | number | boolean | null | undefined>;

function withQuery(path: string, query?: Query): string {
  if (!query) return BASE + path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "" || value === false) continue;
    params.set(key, value === true ? "1" : String(value));
  }
  const encoded = params.toString();
  return BASE + path + (encoded ? `?${encoded}` : "");
}

export async function request<T>(method: string, path: string, body?: unknown, query?: Query,
                          extra?: Record<string, string>): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json", ...extra };
  let payload: BodyInit | undefined;
  if (body instanceof FormData) {
    payload = body;
  } else if (typeof body === "string") {
    headers["Content-Type"] ??= "text/csv";
    payload = body;
  } else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  if (method !== "GET" && method !== "HEAD" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  let response: Response;
  try {
    response = await fetch(withQuery(path, query), {
      method, headers, body: payload, credentials: "same-origin",
    });
  } catch (exc) {
    throw new ApiError(0, "network", exc instanceof Error ? exc.message : String(exc));
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let data: unknown = undefined;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!response.ok) {
    const problem = (data ?? {}) as Partial<Problem>;
    if (response.status === 401 && path !== "/auth/login") onSignedOut();
    throw new ApiError(response.status, problem.error ?? `http_${response.status}`,
      problem.reason ?? (text.slice(0, 200) || response.statusText), data);
  }
  return data as T;
}

const get = <T>(path: string, query?: Query) => request<T>("GET", path, undefined, query);

export const api = {
  async login(login: string, password: string): Promise<Me> {
    const out = await request<{ user: Me; csrf_token: string }>("POST", "/auth/login",
      { login, password });
    csrfToken = out.csrf_token ?? out.user.csrf_token ?? "";
    return { ...out.user, csrf_token: csrfToken };
  },
  async logout(): Promise<void> {
    await request<void>("POST", "/auth/logout");
    csrfToken = "";
  },
  async me(): Promise<Me> {
    const me = await get<Me>("/me");
    csrfToken = me.csrf_token ?? csrfToken;
    return me;
  },

  inboxCounts: () => get<InboxCounts>("/inbox/counts"),
  inbox: (q: InboxQuery) => get<InboxPage>("/inbox", { ...q }),
  markSeen: (taskId: string) => request<void>("POST", `/tasks/${enc(taskId)}/seen`),
  /** The customer's messages show as read in their WhatsApp (where the gateway supports it). */
  readInChat: (taskId: string) => request<unknown>("POST", `/tasks/${enc(taskId)}/read`),
  typing: (taskId: string) => request<unknown>("POST", `/tasks/${enc(taskId)}/typing`),

  task: (taskId: string) => get<TaskDetail>(`/tasks/${enc(taskId)}`),
  comments: (taskId: string, before?: number) =>
    get<CommentPage>(`/tasks/${enc(taskId)}/comments`, { limit: 50, before }),
  /** ``hold``: the window closed; the server keeps it until the customer writes again. */
  postComment(taskId: string, text: string, replyTo: string | null, files: File[],
              key: string, hold = false): Promise<CommentView> {
    const path = `/tasks/${enc(taskId)}/comments`;
    const once = { "Idempotency-Key": key };
    if (!files.length) return request<CommentView>("POST", path,
      { text, reply_to: replyTo, ...(hold ? { hold: true } : {}) }, undefined, once);
    const form = new FormData();
    form.set("text", text);
    if (replyTo) form.set("reply_to", replyTo);
    if (hold) form.set("hold", "true");
    for (const file of files) form.append("file", file, file.name);
    return request<CommentView>("POST", path, form, undefined, once);
  },
  postTemplate: (taskId: string, template: TemplateSend) =>
    request<CommentView>("POST", `/tasks/${enc(taskId)}/comments`, template),
  resend: (taskId: string, commentId: string) =>
    request<CommentView>("POST", `/tasks/${enc(taskId)}/comments/${enc(commentId)}/resend`),
  /** Withdraw a held reply before the customer writes again. */
  cancelHeld: (taskId: string, commentId: string) =>
    request<CommentView>("DELETE", `/tasks/${enc(taskId)}/comments/${enc(commentId)}`),
  /** React with one emoji to a message of the chat (sent to WhatsApp); the reaction comment. */
  react: (taskId: string, commentId: string, emoji: string) => request<CommentView>("PUT",
    `/tasks/${enc(taskId)}/comments/${enc(commentId)}/reaction`, { emoji }),
  /** Take our reaction to the message back. */
  unreact: (taskId: string, commentId: string) => request<CommentView>("DELETE",
    `/tasks/${enc(taskId)}/comments/${enc(commentId)}/reaction`),
  notices: () => get<NoticeList>("/notices", { limit: 30 }),
  markNoticesRead: (ids: string[] | "all") =>
    request<{ marked: number }>("POST", "/notices/read", ids === "all" ? { all: true } : { ids }),
  revisions: (commentId: string) => get<RevisionList>(`/comments/${enc(commentId)}/revisions`),
  templates: (provider: string) =>
    get<{ items: Template[]; refreshing?: boolean }>("/templates", { provider }),

  setStatus: (taskId: string, status: string) =>
    request<Task>("PATCH", `/tasks/${enc(taskId)}`, { status }),
  claim: (taskId: string) => request<Task>("POST", `/tasks/${enc(taskId)}/claim`),
  assign: (taskId: string, to: { user_id: string } | { group_id: string }) =>
    request<Task>("POST", `/tasks/${enc(taskId)}/assign`, to),
  reopen: (taskId: string) => request<Task>("POST", `/tasks/${enc(taskId)}/reopen`),
  startConversation: (body: StartConversation) =>
    request<{ task: Task; comment_id: string }>("POST", "/conversations", body),

  users: () => get<{ items: User[] }>("/users", { limit: 500 }),
  createUser: (user: Partial<User> & { password?: string }) =>
    request<User>("POST", "/users", user),
  updateUser: (id: string, user: Partial<User>) => request<User>("PUT", `/users/${enc(id)}`, user),
  setPassword: (id: string, password: string) =>
    request<void>("POST", `/users/${enc(id)}/password`, { password }),
  issueToken: (id: string) => request<{ token: string }>("POST", `/users/${enc(id)}/tokens`),
  revokeTokens: (id: string) => request<void>("DELETE", `/users/${enc(id)}/tokens`),
  groups: () => get<{ items: GroupRef[] }>("/groups"),
  createGroup: (name: string) => request<GroupRef>("POST", "/groups", { name }),
  renameGroup: (id: string, name: string) =>
    request<GroupRef>("PUT", `/groups/${enc(id)}`, { name }),
  deleteGroup: (id: string) => request<void>("DELETE", `/groups/${enc(id)}`),
  /** Contacts by name, or by phone when the query is a phone number. */
  contacts: (q?: string) => get<{ items: Contact[] }>("/contacts",
    q && /^\+?[\d\s()-]{7,}$/.test(q) ? { phone: q.replace(/\D/g, "") } : { q, limit: 200 }),
  contact: (id: string) => get<Contact>(`/contacts/${enc(id)}`),
  saveContact: (contact: Partial<Contact>) => contact.id
    ? request<Contact>("PUT", `/contacts/${enc(contact.id)}`,
      { name: contact.name, phones: contact.phones, responsible_user_id: contact.responsible_user_id })
    : request<Contact>("POST", "/contacts", contact),
  importContacts: (csv: string) => request<ImportReport>("POST", "/contacts/import", csv),
  channels: () => get<ChannelList>("/channels"),
  deadLetterQueues: () => get<{ items: DeadLetterQueue[] }>("/dead-letters"),
  deadLetters: (queue: string) => get<{ items: DeadLetter[] }>(`/dead-letters/${enc(queue)}`),
  replayDeadLetters: (queue: string) =>
    request<{ replayed?: number }>("POST", `/dead-letters/${enc(queue)}/replay`),
  purgeDeadLetters: (queue: string) =>
    request<{ purged?: number }>("DELETE", `/dead-letters/${enc(queue)}`),
  report: (q: ReportQuery) => get<Report>("/reports", { ...q }),
  myAvailability: () => get<AgentState>("/me/availability"),
  setMyAvailability: (availability: Availability) =>
    request<AgentState>("PUT", "/me/availability", { availability }),
  audit: (q: { actor?: string; action?: string; since?: string }) =>
    get<{ items: AuditEntry[] }>("/audit", { ...q, limit: 200 }),
};

function enc(part: string): string {
  return encodeURIComponent(part);
}

/** A file's download address (images inline). */
export function fileUrl(url: string, inline = false): string {
  return inline ? `${url}${url.includes("?") ? "&" : "?"}inline=1` : url;
}
