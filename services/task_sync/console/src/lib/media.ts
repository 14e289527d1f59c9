// Media placeholders in the chosen language. The task keeps the gateway-neutral English
// ("[image] caption", "[voice message]"...) that API clients and First Form read; the chat shows
// a localized label in its place, followed by the caption.
import type { Key } from "../i18n";
import { t } from "../i18n";

/** Each content type with the placeholder its stored text starts with (bot-router's
 * ``comment_text``) and the label the console shows instead. */
const PLACEHOLDERS: Record<string, [string, Key]> = {
  image: ["[image]", "media.image"],
  audio: ["[voice message]", "media.audio"],
  video: ["[video]", "media.video"],
  document: ["[document]", "media.document"],
  sticker: ["[sticker]", "media.sticker"],
  vcard: ["[contact card]", "media.vcard"],
  geo: ["[location]", "media.geo"],
  template: ["[template]", "media.template"],
  missed_call: ["[missed call]", "media.missedCall"],
};

export interface MediaText {
  label: string;
  caption: string;
}

/** The localized label and the caption of a media message's ``text``; null when the comment is
 * of another kind or its text does not start with its kind's placeholder (a customer's own
 * "[image]" in a text message stays as written). */
export function mediaText(contentType: string | undefined, text: string): MediaText | null {
  const found = contentType ? PLACEHOLDERS[contentType] : undefined;
  if (!found) return null;
  const [placeholder, key] = found;
  if (text !== placeholder && !text.startsWith(`${placeholder} `)) return null;
  return { label: t(key), caption: text.slice(placeholder.length).trim() };
}
