// The message catalogues and the chosen language (Russian unless the person switched).
import { store, useStore } from "../lib/store";
import { en } from "./en";
import { ru, type Key } from "./ru";

export type { Key };
export type Lang = "ru" | "en";
export const LANGS: Lang[] = ["ru", "en"];

const catalogues: Record<Lang, Record<Key, string>> = { ru, en };
const SAVED = "wabridge.lang";

function initial(): Lang {
  const saved = localStorage.getItem(SAVED);
  return saved === "en" || saved === "ru" ? saved : "ru";
}

export const language = store<Lang>(initial());

export function setLanguage(lang: Lang): void {
  localStorage.setItem(SAVED, lang);
  document.documentElement.lang = lang;
  language.set(lang);
}

/** The string of ``key`` in the current language, with ``{name}`` placeholders filled. */
export function t(key: Key, params?: Record<string, string | number>): string {
  const text = catalogues[language.get()][key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole);
}

/** Re-render when the language changes; returns it (for Intl formatters). */
export function useLanguage(): Lang {
  return useStore(language);
}
