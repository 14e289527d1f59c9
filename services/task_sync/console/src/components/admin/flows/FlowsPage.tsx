import "./flows.css";
import { useRoute } from "../../../lib/router";
import { FlowList } from "./FlowList";
import { FlowWorkspace } from "./FlowWorkspace";
import { where } from "./paths";

/** /admin/flows: the list; /admin/flows?flow={key}[&tab={tab}]: one flow set. */
export default function FlowsPage() {
  useRoute();  // the address below the section changes without the section changing
  const { key, tab } = where(location.search);
  return key ? <FlowWorkspace flowKey={key} tab={tab} /> : <FlowList />;
}
