import { useEffect, useRef } from "preact/hooks";
import type { FlowNode, FlowProblem } from "../../../api/flows";
import { t } from "../../../i18n";
import { flatten, label } from "./tree";

interface Props {
  root: FlowNode;
  selected: string | null;
  onSelect: (id: string) => void;
  collapsed: Set<string>;
  onToggle: (id: string, open: boolean) => void;
  problems: FlowProblem[];
}

/** The menu tree as an ARIA tree: arrows move (selection follows), Right/Left open and close,
 * Home/End jump, Enter goes to the item's form; the selected item is the one tab stop. */
export function FlowTree({ root, selected, onSelect, collapsed, onToggle, problems }: Props) {
  const ref = useRef<HTMLUListElement>(null);
  const placed = flatten(root);
  const parents = new Map(placed.map((p) => [p.node.id, p.parentId]));
  const visible = placed.filter((p) => !hiddenBelowCollapsed(p.node.id, parents, collapsed));
  const troubled = new Map<string, number>();
  for (const p of problems) troubled.set(p.node_id, (troubled.get(p.node_id) ?? 0) + 1);

  useEffect(() => {  // a node selected from elsewhere (added, a problem, the simulator) is shown
    if (selected) ref.current?.querySelector(`[data-node-id="${CSS.escape(selected)}"] > .tree-row`)
      ?.scrollIntoView({ block: "nearest" });
  }, [selected]);
  const focus = (id: string) => {
    onSelect(id);
    requestAnimationFrame(() =>
      ref.current?.querySelector<HTMLElement>(`[data-node-id="${CSS.escape(id)}"]`)?.focus());
  };
  const onKey = (event: KeyboardEvent) => {
    const at = visible.findIndex((p) => p.node.id === selected);
    const here = visible[at];
    if (!here) return;
    const hasChildren = !!here.node.children?.length;
    const open = hasChildren && !collapsed.has(here.node.id);
    const go: Record<string, () => void> = {
      ArrowDown: () => visible[at + 1] && focus(visible[at + 1]!.node.id),
      ArrowUp: () => at > 0 && focus(visible[at - 1]!.node.id),
      Home: () => focus(visible[0]!.node.id),
      End: () => focus(visible[visible.length - 1]!.node.id),
      ArrowRight: () => {
        if (hasChildren && !open) onToggle(here.node.id, true);
        else if (open) focus(here.node.children![0]!.id);
      },
      ArrowLeft: () => {
        if (open) onToggle(here.node.id, false);
        else if (here.parentId) focus(here.parentId);
      },
      Enter: () => document.querySelector<HTMLElement>(
        ".form-pane input:not([disabled]), .form-pane textarea:not([disabled])")?.focus(),
    };
    const action = go[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  };

  const item = (node: FlowNode, depth: number) => {
    const kids = node.children ?? [];
    const open = !collapsed.has(node.id);
    const count = troubled.get(node.id) ?? 0;
    const isSelected = node.id === selected;
    return (
      <li role="treeitem" key={node.id} aria-selected={isSelected}
          aria-expanded={kids.length ? open : undefined} aria-level={depth + 1}
          aria-label={label(node) + (count ? ` — ${t("flows.problemsCount", { n: count })}` : "")}
          data-node-id={node.id} tabIndex={isSelected ? 0 : -1} class="tree-item"
          onClick={(e) => { e.stopPropagation(); focus(node.id); }}>
        <div class={`tree-row${isSelected ? " selected" : ""}${count ? " troubled" : ""}`}
             style={{ paddingLeft: `${depth * 16 + 4}px` }}>
          {kids.length ? (
            <span class="tree-toggle" aria-hidden="true"
                  onClick={(e) => { e.stopPropagation(); onToggle(node.id, !open); }}>{open ? "▾" : "▸"}</span>
          ) : <span class="tree-toggle" aria-hidden="true" />}
          <span class="tree-label">{label(node)}</span>
          {(node.triggers?.codes ?? []).length > 0 && (
            <span class="tree-code" aria-hidden="true">{node.triggers!.codes!.join(", ")}</span>
          )}
          {node.action && <span class={`tree-action act-${node.action.type}`} aria-hidden="true"
                                title={t(`flows.action.${node.action.type}`)}>{ACTION_MARK[node.action.type]}</span>}
          {node.hours && node.hours !== "any" && (
            <span class="tree-hours" aria-hidden="true" title={t(`flows.hours.${node.hours}`)}>
              {node.hours === "open" ? "☀" : "☾"}</span>
          )}
          {count > 0 && <span class="tree-problem" aria-hidden="true" title={t("flows.problemsCount", { n: count })}>⚠ {count}</span>}
        </div>
        {kids.length > 0 && open && (
          <ul role="group">{kids.map((child) => item(child, depth + 1))}</ul>
        )}
      </li>
    );
  };

  return (
    <ul role="tree" ref={ref} class="tree" aria-label={t("flows.tree")} onKeyDown={onKey}>
      {item(root, 0)}
    </ul>
  );
}

const ACTION_MARK: Record<string, string> = {
  hand_over: "→", set_status: "◉", close: "✓", ask: "?", lookup_status: "#",
};

function hiddenBelowCollapsed(id: string, parents: Map<string, string | null>,
                              collapsed: Set<string>): boolean {
  let parent = parents.get(id) ?? null;
  while (parent) {
    if (collapsed.has(parent)) return true;
    parent = parents.get(parent) ?? null;
  }
  return false;
}
