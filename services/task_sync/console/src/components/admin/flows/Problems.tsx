import type { FlowNode, FlowProblem } from "../../../api/flows";
import { t } from "../../../i18n";
import { find, label } from "./tree";

/** The problems of one node (or of the set), shown where it is edited. */
export function ProblemsAt({ problems }: { problems: FlowProblem[] }) {
  if (!problems.length) return null;
  return (
    <ul class="problems-inline" aria-label={t("flows.problemsHere")}>
      {problems.map((p) => <li data-code={p.code}>⚠ {p.message}</li>)}
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
              {": "}{p.message}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
