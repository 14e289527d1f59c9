import type { FlowNode, FlowProblem } from "../../../api/flows";
import { t, type Key } from "../../../i18n";
import { find, label } from "./tree";

const KNOWN = new Set(["unreachable", "duplicate_trigger", "shadowed_trigger", "empty_trigger",
  "navigation_word", "duplicate_id", "empty_greeting", "root_action", "empty_answer",
  "too_many_buttons", "too_many_rows", "button_title_too_long", "row_title_too_long",
  "ask_without_pattern", "ask_without_field", "bad_pattern", "bad_max_tries", "unknown_then",
  "unknown_group", "unknown_status", "dead_children", "bad_calendar", "number_taken"]);

/** A problem in the console's language (its kind), with the server's words after it, the
 * node ids in them replaced by what the admin sees in the tree. */
function Said({ problem, root }: { problem: FlowProblem; root: FlowNode }) {
  const message = problem.message.replace(/'([^']+)'/g, (whole, id: string) => {
    const node = find(root, id);
    return node ? `«${label(node)}»` : whole;
  });
  if (!KNOWN.has(problem.code)) return <>{message}</>;
  return (
    <>
      <strong>{t(`flows.problem.${problem.code}` as Key)}</strong>
      <span class="problem-detail"> — {message}</span>
    </>
  );
}

/** The problems of one node (or of the set), shown where it is edited. */
export function ProblemsAt({ problems, root }: { problems: FlowProblem[]; root: FlowNode }) {
  if (!problems.length) return null;
  return (
    <ul class="problems-inline" aria-label={t("flows.problemsHere")}>
      {problems.map((p) => <li data-code={p.code}>⚠ <Said problem={p} root={root} /></li>)}
    </ul>
  );
}

/** Every problem of the draft; a click selects the node it is about. */
export function ProblemList({ problems, root, onSelect }: {
  problems: FlowProblem[]; root: FlowNode; onSelect: (nodeId: string) => void;
}) {
  if (!problems.length) return null;
  return (
    <section class="problem-list" aria-labelledby="problem-list-title">
      <h2 id="problem-list-title">{t("flows.problems", { n: problems.length })}</h2>
      <ul>
        {problems.map((p) => {
          const node = p.node_id ? find(root, p.node_id) : null;
          return (
            <li data-code={p.code}>
              <button type="button" class="link" onClick={() => onSelect(p.node_id)}>
                {p.node_id ? (node ? label(node) : p.node_id) : t("flows.settings")}
              </button>
              {": "}<Said problem={p} root={root} />
            </li>
          );
        })}
      </ul>
    </section>
  );
}
