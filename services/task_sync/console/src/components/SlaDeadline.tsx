import type { Task } from "../api/types";
import { t } from "../i18n";
import { full, short, timeLeft } from "../lib/time";
import "./desk.css";

function kindOf(task: Task): string {
  return t(task.sla_kind === "first" ? "sla.first" : "sla.next");
}

/** True once the response deadline has passed (the clock still waits for our answer). */
export function overdue(task: Task, now = Date.now()): boolean {
  return !!task.sla_due_at && Date.parse(task.sla_due_at) <= now;
}

/** The task card's line: which reply is owed and by when, or since when it is late. */
export function SlaDeadline({ task }: { task: Task }) {
  if (!task.sla_due_at) return null;
  const late = overdue(task);
  const left = timeLeft(task.sla_due_at);
  return (
    <span class={`sla${late ? " sla-overdue" : ""}`} data-testid="sla-deadline"
          data-overdue={late ? "true" : "false"} title={full(task.sla_due_at)}>
      {late || !left ? t("sla.overdue", { kind: kindOf(task), at: short(task.sla_due_at) })
        : t("sla.dueIn", { kind: kindOf(task), left })}
    </span>
  );
}

/** The inbox row's chip: "reply by 14:05", or "overdue" in red. */
export function SlaChip({ task }: { task: Task }) {
  if (!task.sla_due_at) return null;
  const late = overdue(task);
  return (
    <span class={`sla-chip${late ? " sla-overdue" : ""}`} data-testid="sla-chip"
          data-overdue={late ? "true" : "false"} title={`${kindOf(task)}: ${full(task.sla_due_at)}`}>
      {late ? t("sla.inboxOverdue") : t("sla.inboxDue", { at: short(task.sla_due_at) })}
    </span>
  );
}
