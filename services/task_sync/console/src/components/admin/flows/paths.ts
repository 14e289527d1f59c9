// The flows section's own addresses under /admin/flows (the router knows only the section).
export const TABS = ["editor", "replay", "versions", "hours"] as const;
export type Tab = typeof TABS[number];

export function flowPath(key: string, tab: Tab = "editor"): string {
  return `/admin/flows/${encodeURIComponent(key)}${tab === "editor" ? "" : `/${tab}`}`;
}

/** The flow key and tab of the current address (null key: the list). */
export function where(pathname: string): { key: string | null; tab: Tab } {
  const parts = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  const tab = (TABS as readonly string[]).includes(parts[3] ?? "") ? parts[3] as Tab : "editor";
  return { key: parts[2] ?? null, tab };
}
