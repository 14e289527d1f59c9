// The flows section's own addresses: /admin/flows?flow=<key>&tab=<tab> (the router and the
// server know only /admin/{section}, so a reload or a shared link lands on the same view).
export const TABS = ["editor", "replay", "versions", "hours"] as const;
export type Tab = typeof TABS[number];

export function flowPath(key: string, tab: Tab = "editor"): string {
  return `/admin/flows?flow=${encodeURIComponent(key)}${tab === "editor" ? "" : `&tab=${tab}`}`;
}

/** The flow key and tab of the current address (null key: the list). */
export function where(search: string): { key: string | null; tab: Tab } {
  const params = new URLSearchParams(search);
  const tab = params.get("tab") ?? "";
  return { key: params.get("flow") || null,
           tab: (TABS as readonly string[]).includes(tab) ? tab as Tab : "editor" };
}
