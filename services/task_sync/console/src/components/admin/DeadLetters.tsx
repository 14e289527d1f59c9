import { useState } from "preact/hooks";
import { api } from "../../api/client";
import type { DeadLetter } from "../../api/types";
import { t } from "../../i18n";
import { attempt, useLoad } from "./useLoad";

export function DeadLetters() {
  const queues = useLoad(() => api.deadLetterQueues());
  const [open, setOpen] = useState<{ queue: string; items: DeadLetter[] } | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const fail = queues.setProblem;
  const inspect = (queue: string) =>
    attempt(async () => setOpen({ queue, items: (await api.deadLetters(queue)).items }), fail);
  return (
    <>
      {queues.problem && <p class="error" role="alert">{queues.problem}</p>}
      {note && <p class="note" role="status">{note}</p>}
      <table class="grid">
        <thead><tr><th>{t("admin.queue")}</th><th>{t("admin.count")}</th><th /></tr></thead>
        <tbody>
          {(queues.data?.items ?? []).map((q) => (
            <tr>
              <td>{q.queue}</td><td>{q.count}</td>
              <td class="row">
                <button type="button" class="link" onClick={() => void inspect(q.queue)}>{t("admin.inspect")}</button>
                <button type="button" class="link" onClick={() => void attempt(() => api.replayDeadLetters(q.queue),
                  fail, async () => { setNote(t("admin.done")); await queues.reload(); })}>{t("admin.replay")}</button>
                <button type="button" class="link danger" onClick={() => {
                  if (window.confirm(t("admin.purgeConfirm", { queue: q.queue }))) {
                    void attempt(() => api.purgeDeadLetters(q.queue), fail,
                      async () => { setNote(t("admin.done")); await queues.reload(); });
                  }
                }}>{t("admin.purge")}</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {queues.data && !queues.data.items.length && <p class="empty">{t("admin.none")}</p>}
      {open && (
        <section aria-label={open.queue}>
          <h2>{open.queue}</h2>
          {open.items.map((m) => <pre class="json">{JSON.stringify(m, null, 2)}</pre>)}
        </section>
      )}
    </>
  );
}
