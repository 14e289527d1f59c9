import type { FunctionComponent } from "preact";
import { useEffect, useState } from "preact/hooks";
import { t } from "../../../i18n";

let loaded: FunctionComponent | null = null;

/** The flows section, loaded on first visit: the editor is a chunk of its own, out of the
 * console's first load. */
export function Flows() {
  const [Page, setPage] = useState<FunctionComponent | null>(() => loaded);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    if (Page) return;
    import("./FlowsPage").then((m) => { loaded = m.default; setPage(() => m.default); },
      (exc: unknown) => setProblem(String(exc)));
  }, []);
  if (problem) return <p class="error" role="alert">{t("app.error", { reason: problem })}</p>;
  return Page ? <Page /> : <p class="loading">{t("app.loading")}</p>;
}
