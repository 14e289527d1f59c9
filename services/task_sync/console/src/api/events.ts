// The console's one subscription to the live stream (GET /api/v1/events). Components listen
// here. The browser's EventSource reconnects by itself after a dropped connection and resumes
// with Last-Event-ID; after a refusal (a proxy's 502/503 while a replica fails over) it gives
// up (CLOSED), so we reconnect ourselves with the last id as ?last_event_id=. When there is
// no id to resume from, the console reloads what it shows once the stream is open again (the
// server says the same with a "reset" event when the id is too old).
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
let lastEventId = "";
let reloadOnOpen = false;
export const RETRY_MS = 5000;

function streamUrl(): string {
  return lastEventId
    ? `/api/v1/events?last_event_id=${encodeURIComponent(lastEventId)}`
    : "/api/v1/events";
}

function setState(next: LiveState): void {
  state = next;
  for (const listener of stateListeners) listener(next);
}

function received(type: string, msg: MessageEvent<string>): void {
  // after a reset there is nothing to resume from (the lists reload now); an event without an
  // id of its own repeats the previous one, so a reset is recognised by its type
  if (type === "reset") lastEventId = "";
  else if (msg.lastEventId) lastEventId = msg.lastEventId;
  dispatch(type, msg.data);
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
  const opened = new EventSource(streamUrl());
  source = opened;
  opened.onopen = () => {
    setState("open");
    if (reloadOnOpen) {
      reloadOnOpen = false;
      dispatch("reset", "{}");
    }
  };
  opened.onmessage = (msg) => received("message", msg as MessageEvent<string>);
  for (const type of EVENT_TYPES) {
    opened.addEventListener(type, (msg) => received(type, msg as MessageEvent<string>));
  }
  opened.onerror = () => {
    if (opened.readyState === EventSource.CLOSED) {
      // refused (a proxy's 502/503, signed out): try again later ourselves, resuming after the
      // last event; without one, whatever changed meanwhile is reloaded once we are back
      source = null;
      if (!lastEventId) reloadOnOpen = true;
      setState("closed");
      retryTimer = window.setTimeout(connectLive, RETRY_MS);
    } else {
      setState("connecting");
    }
  };
}

export function disconnectLive(): void {
  window.clearTimeout(retryTimer);
  source?.close();
  source = null;
  lastEventId = "";
  reloadOnOpen = false;
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
