// Client routes on the History API; task-sync answers index.html for each of them, and for any
// other page address too (status 404): what this parser does not know is the "not-found" page.
import { store, useStore } from "./store";

export type Route =
  | { page: "login" }
  | { page: "inbox"; view: string; taskId: string | null }
  | { page: "admin"; section: string }
  | { page: "not-found" };

const VIEWS = ["mine", "queue", "all", "closed"];

export function parse(path: string): Route {
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts.length > 2) return { page: "not-found" };
  if (parts[0] === "login" && parts.length === 1) return { page: "login" };
  if (parts.length === 0) return { page: "inbox", view: "mine", taskId: null };
  if (parts[0] === "inbox" && (!parts[1] || VIEWS.includes(parts[1]))) {
    return { page: "inbox", view: parts[1] ?? "mine", taskId: null };
  }
  if (parts[0] === "tasks" && parts[1]) {
    return { page: "inbox", view: new URLSearchParams(location.search).get("view") ?? "mine",
      taskId: parts[1] };
  }
  if (parts[0] === "admin") return { page: "admin", section: parts[1] ?? "users" };
  return { page: "not-found" };
}

const current = store<Route>(parse(location.pathname));

export function navigate(path: string, replace = false): void {
  if (path === location.pathname + location.search) return;
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  current.set(parse(location.pathname));
}

export function taskPath(taskId: string, view: string): string {
  return `/tasks/${encodeURIComponent(taskId)}?view=${encodeURIComponent(view)}`;
}

window.addEventListener("popstate", () => current.set(parse(location.pathname)));

export function useRoute(): Route {
  return useStore(current);
}

/** An in-app link's click: the History API instead of a page load (modifier clicks open tabs). */
export function link(path: string) {
  return (event: MouseEvent) => {
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    navigate(path);
  };
}
