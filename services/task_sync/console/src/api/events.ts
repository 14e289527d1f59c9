// The console's one subscription to the live stream (GET /api/v1/events). Components listen
// here; the browser's EventSource reconnects by itself and resumes with Last-Event-ID.
import type { LiveEvent } from "./types";

export const EVENT_TYPES = [
  "task.created", "task.updated", "comment.added", "comment.updated", "reset",
  "notice", "sla.breached",
] as const;
export type LiveState = "connecting" | "open" | "closed";

type Listener = (event: LiveEvent) => void;

const listeners = new Set<Listener>();
const stateListeners = new Set<(state: LiveState) => void>();
let source: EventSource | null = null;
let state: LiveState = "closed";
let retryTimer: number | undefined;

function setState(next: LiveState): void {
  state = next;
  for (const listener of stateListeners) listener(next);
}

function dispatch(type: string, raw: string): void {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return;
  }
  const event = { ...data, type: (data.type as string | undefined) ?? type } as LiveEvent;
  if (!(EVENT_TYPES as readonly string[]).includes(event.type)) return;
  for (const listener of listeners) listener(event);
}

/** Open the stream (once per session); events go to every listener. */
export function connectLive(): void {
  if (source) return;
  window.clearTimeout(retryTimer);
  setState("connecting");
  const opened = new EventSource("/api/v1/events");
  source = opened;
  opened.onopen = () => setState("open");
  opened.onmessage = (msg) => dispatch("message", msg.data as string);
  for (const type of EVENT_TYPES) {
    opened.addEventListener(type, (msg) => dispatch(type, (msg as MessageEvent<string>).data));
  }
  opened.onerror = () => {
    if (opened.readyState === EventSource.CLOSED) {
      // the server refused (signed out, or the route is not there): try again later ourselves
      source = null;
      setState("closed");
      retryTimer = window.setTimeout(connectLive, 5000);
    } else {
      setState("connecting");
    }
  };
}

export function disconnectLive(): void {
  window.clearTimeout(retryTimer);
  source?.close();
  source = null;
  setState("closed");
}

export function onLive(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function onLiveState(listener: (state: LiveState) => void): () => void {
  stateListeners.add(listener);
  listener(state);
  return () => stateListeners.delete(listener);
}
