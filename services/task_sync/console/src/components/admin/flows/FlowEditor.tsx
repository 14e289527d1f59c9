import { useEffect, useRef, useState } from "preact/hooks";
import type { FlowNode, FlowProblem, FlowSet, TaskStatuses } from "../../../api/flows";
import type { GroupRef } from "../../../api/types";
import { t } from "../../../i18n";
import { Confirm } from "./Confirm";
import { FlowTree } from "./FlowTree";
import { NodeForm } from "./NodeForm";
import { ProblemList } from "./Problems";
import { SetSettings } from "./SetSettings";
import * as tree from "./tree";

/** "" selects the set's settings; otherwise a node id. */
export type Selection = string;

/** The tree with the selected node's form beside it (read-only for a published version). */
export function FlowEditor({ flow, onChange, problems, groups, statuses, selected, onSelect, readOnly = false }: {
  flow: FlowSet; onChange?: (next: FlowSet) => void; problems: FlowProblem[]; groups: GroupRef[];
  statuses: TaskStatuses | null;
  selected: Selection; onSelect: (id: Selection) => void; readOnly?: boolean;
}) {
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const [deleting, setDeleting] = useState<FlowNode | null>(null);
  const formPane = useRef<HTMLDivElement>(null);
  const root = flow.root;
  const node = selected ? tree.find(root, selected) : null;
  const placed = node ? tree.flatten(root).find((p) => p.node.id === node.id)! : null;
  const edit = (nextRoot: FlowNode) => onChange?.({ ...flow, root: nextRoot });

  useEffect(() => {  // what is selected from elsewhere (a problem, the simulator) is shown
    if (!selected) return;
    const above = tree.pathTo(root, selected).slice(0, -1);
    if (above.some((id) => collapsed.has(id))) {
      setCollapsed(new Set([...collapsed].filter((id) => !above.includes(id))));
    }
  }, [selected]);
  useEffect(() => { formPane.current?.scrollTo({ top: 0 }); }, [selected]);
  useEffect(() => {  // a node that is gone (deleted, another version) leaves the root selected
    if (selected && !node) onSelect(root.id);
  }, [selected, node === null]);

  const added = (next: FlowNode, id: string) => {
    edit(next);
    onSelect(id);
    requestAnimationFrame(() => document.getElementById("f-title")?.focus());
  };
  const addChild = () => {
    if (!node) return;
    const id = tree.newId(root);
    setCollapsed(new Set([...collapsed].filter((c) => c !== node.id)));
    added(tree.addChild(root, node.id, { id, title: "" }), id);
  };
  const addSibling = () => {
    if (!node || !placed?.parentId) return;
    const id = tree.newId(root);
    added(tree.addSibling(root, node.id, { id, title: "" }), id);
  };
  const remove = (target: FlowNode) => {
    const parent = tree.flatten(root).find((p) => p.node.id === target.id)?.parentId ?? root.id;
    edit(tree.remove(root, target.id));
    onSelect(parent);
    setDeleting(null);
  };
  const problemsOf = (id: string) => problems.filter((p) => p.node_id === id);

  return (
    <div class="flow-editor">
      <div class="tree-pane">
        <button type="button" class={`tree-settings${selected === "" ? " selected" : ""}`}
                aria-pressed={selected === ""} onClick={() => onSelect("")}>
          ⚙ {t("flows.settings")}
          {problemsOf("").length > 0 && <span class="tree-problem"> ⚠ {problemsOf("").length}</span>}
        </button>
        {!readOnly && (
          <div class="tree-tools" role="group" aria-label={t("flows.treeTools")}>
            <button type="button" disabled={!node} onClick={addChild}>{t("flows.addChild")}</button>
            <button type="button" disabled={!placed?.parentId} onClick={addSibling}>{t("flows.addSibling")}</button>
            <button type="button" disabled={!placed?.parentId || placed.index === 0}
                    aria-label={t("flows.moveUp")} title={t("flows.moveUp")}
                    onClick={() => node && edit(tree.move(root, node.id, -1))}>↑</button>
            <button type="button" disabled={!placed?.parentId || placed.index >= placed.siblings - 1}
                    aria-label={t("flows.moveDown")} title={t("flows.moveDown")}
                    onClick={() => node && edit(tree.move(root, node.id, 1))}>↓</button>
            <button type="button" class="danger" disabled={!placed?.parentId}
                    onClick={() => node && (node.children?.length ? setDeleting(node) : remove(node))}>
              {t("flows.deleteNode")}</button>
          </div>
        )}
        <FlowTree root={root} selected={selected || null} onSelect={onSelect} collapsed={collapsed}
                  problems={problems}
                  onToggle={(id, open) => {
                    const next = new Set(collapsed);
                    if (open) next.delete(id); else next.add(id);
                    setCollapsed(next);
                  }} />
        <ProblemList problems={problems} root={root} onSelect={onSelect} />
      </div>
      <div class="form-pane" ref={formPane}>
        {selected === "" ? (
          <SetSettings flow={flow} problems={problemsOf("")} readOnly={readOnly}
                       onChange={(next) => onChange?.(next)} />
        ) : node ? (
          <NodeForm key={node.id} node={node} isRoot={node.id === root.id} root={root} groups={groups}
                    statuses={statuses} problems={problemsOf(node.id)} readOnly={readOnly}
                    onChange={(next) => edit(tree.update(root, node.id, () => next))} />
        ) : null}
      </div>
      {deleting && (
        <Confirm title={t("flows.deleteNode")} confirm={t("flows.deleteNode")} danger
                 onCancel={() => setDeleting(null)} onConfirm={() => remove(deleting)}>
          {t("flows.deleteWithChildren", { title: tree.label(deleting),
            n: tree.flatten(deleting).length - 1 })}
        </Confirm>
      )}
    </div>
  );
}
