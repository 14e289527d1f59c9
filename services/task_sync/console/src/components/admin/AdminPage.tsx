import { t, type Key } from "../../i18n";
import { useStore } from "../../lib/store";
import { session } from "../../state";
import { AuditLog } from "./AuditLog";
import { Channels } from "./Channels";
import { Contacts } from "./Contacts";
import { DeadLetters } from "./DeadLetters";
import { Flows } from "./flows/Flows";
import { Groups } from "./Groups";
import { Reports } from "./Reports";
import { Users } from "./Users";
import { link } from "../../lib/router";

const SECTIONS = {
  users: Users, groups: Groups, contacts: Contacts, channels: Channels,
  "dead-letters": DeadLetters, audit: AuditLog, reports: Reports,
  flows: Flows,
} as const;
type Section = keyof typeof SECTIONS;
const TITLES: Record<Section, Key> = {
  users: "admin.users", groups: "admin.groups", contacts: "admin.contacts",
  channels: "admin.channels", "dead-letters": "admin.deadLetters", audit: "admin.audit",
  reports: "admin.reports",
  flows: "admin.flows",
};
/** Supervisors edit the directory; the system's insides are the admins'. */
const SUPERVISOR: Section[] = ["groups", "contacts", "channels", "reports"];

export function AdminPage({ section }: { section: string }) {
  const me = useStore(session)!;
  if (me.role === "manager") return <p class="empty" role="alert">{t("admin.forbidden")}</p>;
  const allowed = (Object.keys(SECTIONS) as Section[])
    .filter((s) => me.role === "admin" || SUPERVISOR.includes(s));
  const current: Section = (allowed as string[]).includes(section) ? (section as Section) : allowed[0]!;
  const Page = SECTIONS[current];
  return (
    <div class="admin">
      <nav class="admin-nav" aria-label={t("admin.label")}>
        {allowed.map((s) => (
          <a href={`/admin/${s}`} onClick={link(`/admin/${s}`)}
             aria-current={s === current ? "page" : undefined}>{t(TITLES[s])}</a>
        ))}
      </nav>
      <section class="admin-body" aria-labelledby="admin-title">
        <h1 id="admin-title">{t(TITLES[current])}</h1>
        <Page />
      </section>
    </div>
  );
}
