// What went wrong, in the person's language. The server refuses with a stable machine code
// (``error``) and an English ``reason`` for developers; a person reads a sentence chosen by the
// code (and, where one code covers several refusals, by which one it is). An unknown refusal still
// gets a sentence, with the server's own words kept in small print for support.
import { Fragment, h, type VNode } from "preact";
import { t, type Key } from "../i18n";

/** What the client knows of a refused request (the ApiError's fields). */
export interface Refusal {
  status: number;
  code: string;
  /** The server's own words, in English: for support, never the sentence itself. */
  serverReason: string;
}

/** A sentence to show, and the server's words when the sentence does not say it all. */
export interface Told {
  text: string;
  detail: string | null;
}

/** The field a validation error names: ``$.password`` → ``password``, ``$.phones[0]`` →
 * ``phones``; null when it names none. */
export function fieldOf(code: string, serverReason: string): string | null {
  if (code !== "invalid_body") return null;
  const at = / - at `\$\.?([^`]*)`$/.exec(serverReason);
  const path = at?.[1] ?? /^Object missing required field `([^`]+)`/.exec(serverReason)?.[1]
    // a field's own check names it first ("login must be …", "phone '…' must have …")
    ?? /^(\w+) must /.exec(serverReason)?.[1]
    ?? (/^phone '.*' must have/.test(serverReason) ? "phones" : undefined);
  if (!path) return null;
  return path.split(/[.[]/)[0] || null;
}

const FIELDS: Record<string, Key> = {
  password: "field.password", full_name: "field.fullName", login: "field.login",
  phones: "field.phones", phone: "field.phone", name: "field.name", role: "field.role",
  group_ids: "field.groups", text: "field.text", capacity: "field.capacity", id: "field.id",
  emoji: "field.emoji", responsible_user_id: "field.responsible",
};

/** A field as the form calls it (its own name when the console has no word for it). */
function fieldName(field: string | null): string {
  if (!field) return t("field.some");
  const key = FIELDS[field];
  return key ? t(key) : field;
}

/** Codes whose sentence needs nothing from the server's words. */
const PLAIN: Record<string, Key> = {
  network: "error.network",
  unauthenticated: "error.unauthenticated",
  csrf: "error.csrf",
  not_found: "error.notFound",
  forbidden: "error.forbidden",  // a refusal of no rule of its own (a bad signed link)
  admin_only: "error.forbidden.admin",
  directory_edit_not_allowed: "error.forbidden.directory",
  reports_not_allowed: "error.forbidden.reports",
  availability_not_allowed: "error.forbidden.availability",
  policy_not_allowed: "error.forbidden.policy",
  not_in_group: "error.forbidden.claim",
  not_group_supervisor: "error.forbidden.assign",
  outside_own_groups: "error.forbidden.assignOwnGroups",
  post_not_allowed: "error.forbidden.post",
  status_not_allowed: "error.forbidden.status",
  start_for_other: "error.forbidden.start",
  window_closed: "error.windowClosed",
  task_closed: "error.taskClosed",
  taken: "error.taken",
  changed_meanwhile: "error.changedMeanwhile",
  conversation_open: "error.conversationOpen",
  not_closed: "error.notClosed",
  not_held: "error.notHeld",
  not_failed: "error.notFailed",
  not_yet_delivered: "error.notYetDelivered",
  not_available: "error.notAvailable",
  exists: "error.exists",
  service_user: "error.serviceUser",
  own_admin_rights: "error.ownAdminRights",
  own_account: "error.ownAccount",
  routing_group: "error.routingGroup",
  unknown_user: "error.unknownUser",
  unknown_group: "error.unknownGroup",
  unknown_contact: "error.unknownContact",
  unknown_template: "error.unknownTemplate",
  template_values: "error.templateValues",
  unknown_status: "error.unknownStatus",
  unknown_provider: "error.unknownProvider",
  unknown_connection: "error.unknownConnection",
  no_phone: "error.noPhone",
  empty_comment: "error.emptyComment",
  bad_reply_to: "error.badReplyTo",
  invalid_emoji: "error.invalidEmoji",
  not_in_whatsapp: "error.notInWhatsapp",
  reactions_not_supported: "error.reactionsNotSupported",
  file_too_large: "error.fileTooLarge",
  too_many_files: "error.tooManyFiles",
  file_type_not_allowed: "error.fileTypeNotAllowed",
  file_type_mismatch: "error.fileTypeMismatch",
  not_utf8: "error.notUtf8",
  bad_period: "error.badPeriod",
  draft_changed: "error.draftChanged",
  published_meanwhile: "error.publishedMeanwhile",
  no_draft: "error.noDraft",
};

/** Refusals about one file, whose name the server's words start with. */
const FILES: Record<string, Key> = {
  file_too_large: "error.fileTooLargeNamed",
  file_type_not_allowed: "error.fileTypeNotAllowedNamed",
  file_type_mismatch: "error.fileTypeMismatchNamed",
};

/** Refusals whose server words (a line of YAML, a malformed query) are the useful part. */
const TOLD_WITH_DETAIL: Record<string, Key> = {
  invalid_yaml: "error.invalidYaml",
  malformed_yaml: "error.invalidYaml",
  invalid_hours: "error.invalidHours",
  bad_query: "error.badRequest",
  malformed_json: "error.badRequest",
  bad_multipart: "error.badRequest",
};

const plain = (key: Key, params?: Record<string, string | number>): Told =>
  ({ text: t(key, params), detail: null });

/** A validation error of the request's body (msgspec's wording, or a field's own check). */
function invalidBody(reason: string): Told {
  const field = fieldOf("invalid_body", reason);
  const name = fieldName(field);
  let m: RegExpExecArray | null;
  if ((m = /^Expected `\w+` of length >= (\d+)/.exec(reason))) {
    return field === "password" ? plain("error.passwordShort", { n: m[1]! })
      : plain("error.field.tooShort", { field: name, n: m[1]! });
  }
  if ((m = /^Expected `\w+` of length <= (\d+)/.exec(reason))) {
    return plain("error.field.tooLong", { field: name, n: m[1]! });
  }
  if (/^Object missing required field/.test(reason)) return plain("error.field.required", { field: name });
  if ((m = /^phone '(.*)' must have 7 to 15 digits/.exec(reason))) {
    return plain("error.phoneDigits", { phone: m[1]! });
  }
  if ((m = /^(\w+) must not be empty/.exec(reason))) {
    return plain("error.field.required", { field: fieldName(m[1]!) });
  }
  if (/^login must be/.test(reason)) return plain("error.loginFormat");
  if ((m = /^(\w+) must be between (\d+) and (\d+)/.exec(reason))) {
    return plain("error.field.between", { field: fieldName(m[1]!), low: m[2]!, high: m[3]! });
  }
  if (field && /^(Expected|Invalid enum value)/.test(reason)) {
    return plain("error.field.invalid", { field: name });
  }
  return { text: t("error.invalidBody"), detail: reason };
}

/** The sentence for a refused request, in the current language. */
export function describe(r: Refusal): Told {
  const reason = r.serverReason;
  let m: RegExpExecArray | null;
  if (r.status === 0 || r.code === "network") return plain("error.network");
  if (r.code === "invalid_body") return invalidBody(reason);
  if (r.code === "weak_password") {
    m = /(\d+) to (\d+)/.exec(reason);
    return plain("error.weakPassword", { min: m?.[1] ?? 8, max: m?.[2] ?? 256 });
  }
  if (r.code === "login_taken") {
    m = /signs in as '(.*)'$/.exec(reason) ?? /the login '(.*)' is taken/.exec(reason);
    return m ? plain("error.loginTaken", { login: m[1]! }) : plain("error.loginTakenPlain");
  }
  if (r.code === "name_taken") {
    m = /is already named '(.*)'$/.exec(reason);
    if (m) return plain("error.userNameTaken", { name: m[1]! });
    m = /a group named '(.*)' exists already/.exec(reason);
    return m ? plain("error.groupNameTaken", { name: m[1]! }) : plain("error.nameTaken");
  }
  if (r.code === "phone_taken") {
    m = /^phone (\S+) belongs to (user|contact)/.exec(reason);
    return m ? plain(m[2] === "user" ? "error.phoneTakenUser" : "error.phoneTakenContact",
      { phone: m[1]! }) : plain("error.phoneTakenPlain");
  }
  if (r.code === "group_has_members") {
    m = /^group '(.*)' still has (\d+) member/.exec(reason);
    return m ? plain("error.groupHasMembers", { name: m[1]!, n: m[2]! })
      : plain("error.groupHasMembersPlain");
  }
  if (r.code === "responsible_for_contacts") {
    m = /responsible for (\d+) contact/.exec(reason);
    return plain("error.responsibleForContacts", { n: m?.[1] ?? "?" });
  }
  if (FILES[r.code]) {
    m = /^(.+?)(?:: type | is over |: )/.exec(reason);
    const name = m && !m[1]!.startsWith("the ") ? m[1]! : null;
    return name ? plain(FILES[r.code]!, { name }) : plain(PLAIN[r.code]!);
  }
  const told = TOLD_WITH_DETAIL[r.code];
  if (told) return { text: t(told), detail: reason || null };
  const key = PLAIN[r.code];
  if (key) return plain(key);
  if (r.status === 429) return plain("error.tooMany");
  if (r.status >= 500) return { text: t("error.server"), detail: reason || null };
  if (r.status === 404) return plain("error.notFound");
  return { text: t("error.generic"), detail: `${r.code}: ${reason}` };
}

function isRefusal(exc: unknown): exc is Refusal & Error {
  return exc instanceof Error && exc.name === "ApiError";
}

/** What went wrong with ``exc`` (an ApiError or anything thrown), as a sentence and the
 * server's words for support where the sentence is a general one. */
export function toldOf(exc: unknown): Told {
  if (isRefusal(exc)) return describe(exc);
  // fetch's own failure outside the API client ("Failed to fetch", "NetworkError …")
  if (exc instanceof TypeError && /fetch|network/i.test(exc.message)) return plain("error.network");
  const said = exc instanceof Error ? exc.message : String(exc);
  return { text: t("error.unexpected"), detail: said || null };
}

/** ``exc`` as one line of text in the current language (the server's words in brackets when
 * the sentence is a general one). */
export function errorText(exc: unknown): string {
  const told = toldOf(exc);
  return told.detail ? `${told.text} (${told.detail})` : told.text;
}

/** ``exc`` as the sentence, with the server's words in small print when there are any. */
export function errorView(exc: unknown): VNode {
  const told = toldOf(exc);
  return h(Fragment, null, told.text, told.detail
    ? h("small", { class: "error-detail", "data-testid": "error-detail" }, ` ${told.detail}`)
    : null);
}
