import { t } from "../i18n";
import { ChatView } from "./ChatView";
import { Inbox } from "./Inbox";

/** The manager's workspace: the inbox, the open chat and its task card side by side (one at a
 * time on a phone). */
export function Workspace({ view, taskId }: { view: string; taskId: string | null }) {
  return (
    <div class={`workspace${taskId ? " has-task" : ""}`}>
      <Inbox view={view} openTaskId={taskId} />
      {taskId
        ? <ChatView key={taskId} taskId={taskId} view={view} />
        : <section class="chat chat-empty" aria-label={t("chat.label")}><p>{t("chat.pick")}</p></section>}
    </div>
  );
}
