// Times in the user's time zone (the browser's), in the chosen language.
import { language, t } from "../i18n";

const LOCALES = { ru: "ru-RU", en: "en-GB" } as const;
const cache = new Map<string, Intl.DateTimeFormat>();

function format(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const lang = language.get();
  const key = lang + JSON.stringify(options);
  let found = cache.get(key);
  if (!found) {
    found = new Intl.DateTimeFormat(LOCALES[lang], options);
    cache.set(key, found);
  }
  return found;
}

export const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

function dayKey(date: Date): string {
  return format({ year: "numeric", month: "2-digit", day: "2-digit" }).format(date);
}

/** 14:05 */
export function clock(iso: string): string {
  return format({ hour: "2-digit", minute: "2-digit" }).format(new Date(iso));
}

/** 3 марта 2025, 14:05 */
export function full(iso: string): string {
  return format({ day: "numeric", month: "long", year: "numeric", hour: "2-digit",
    minute: "2-digit", timeZoneName: "short" }).format(new Date(iso));
}

/** The time today, else the date: how a chat list shows it. */
export function short(iso: string, now = new Date()): string {
  const date = new Date(iso);
  if (dayKey(date) === dayKey(now)) return clock(iso);
  return format({ day: "numeric", month: "short" }).format(date);
}

/** "Сегодня", "Вчера" or the date: the separators between days of a chat. */
export function dayTitle(iso: string, now = new Date()): string {
  const date = new Date(iso);
  if (dayKey(date) === dayKey(now)) return t("chat.today");
  if (dayKey(date) === dayKey(new Date(now.getTime() - 86_400_000))) return t("chat.yesterday");
  return format({ day: "numeric", month: "long", year: "numeric" }).format(date);
}

export function sameDay(a: string, b: string): boolean {
  return dayKey(new Date(a)) === dayKey(new Date(b));
}

/** "5 ч 12 мин" / "5 h 12 min" until ``iso``; null once it has passed. */
export function timeLeft(iso: string | null | undefined, now = Date.now()): string | null {
  if (!iso) return null;
  const minutes = Math.floor((new Date(iso).getTime() - now) / 60_000);
  if (minutes < 0) return null;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  const [h, m] = language.get() === "ru" ? ["ч", "мин"] : ["h", "min"];
  return hours > 0 ? `${hours} ${h} ${rest} ${m}` : `${rest} ${m}`;
}

const relative = new Map<string, Intl.RelativeTimeFormat>();

/** "2 минуты назад" / "2 minutes ago": how long ago ``iso`` was, in the chosen language. */
export function ago(iso: string, now = Date.now()): string {
  const lang = language.get();
  let found = relative.get(lang);
  if (!found) {
    found = new Intl.RelativeTimeFormat(LOCALES[lang], { numeric: "auto" });
    relative.set(lang, found);
  }
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  if (Math.abs(seconds) < 60) return found.format(Math.min(0, seconds), "second");
  const minutes = Math.round(seconds / 60);
  if (Math.abs(minutes) < 60) return found.format(minutes, "minute");
  const hours = Math.round(minutes / 60);
  if (Math.abs(hours) < 24) return found.format(hours, "hour");
  return found.format(Math.round(hours / 24), "day");
}
