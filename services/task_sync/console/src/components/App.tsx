import { useEffect, useState } from "preact/hooks";
import { ApiError, api } from "../api/client";
import { onLiveState, type LiveState } from "../api/events";
import { LANGS, setLanguage, t, useLanguage, type Lang } from "../i18n";
import { link, navigate, useRoute } from "../lib/router";
import { useStore } from "../lib/store";
import { counts, session, signedIn, signedOut } from "../state";
import { AdminPage } from "./admin/AdminPage";
import { Availability } from "./Availability";
import { Login } from "./Login";
import { NewDialogue } from "./NewDialogue";
import { NoticeBell } from "./NoticeBell";
import { Workspace } from "./Workspace";

export function App() {
  useLanguage();
  const me = useStore(session);
  const route = useRoute();

  useEffect(() => {
    api.me().then(signedIn, (exc: unknown) => {
      if (exc instanceof ApiError && exc.status === 401) signedOut();
      else signedOut();
    });
  }, []);

  useEffect(() => {
    if (me === null && route.page !== "login") navigate("/login", true);
    if (me && route.page === "login") navigate("/", true);
  }, [me, route.page]);

  if (me === undefined) return <p class="loading">{t("app.loading")}</p>;
  if (me === null) return <Login />;
  return (
    <div class="shell">
      <a class="skip" href="#main">{t("app.skip")}</a>
      <Header />
      <main id="main" class="main">
        {route.page === "inbox" && <Workspace view={route.view} taskId={route.taskId} />}
        {route.page === "admin" && <AdminPage section={route.section} />}
        {route.page === "not-found" && (
          <p class="empty" data-testid="not-found">
            {t("app.notFound")} <a href="/" onClick={link("/")}>{t("app.toInbox")}</a>
          </p>
        )}
      </main>
    </div>
  );
}

function Header() {
  const me = useStore(session)!;
  const lang = useLanguage();
  const route = useRoute();
  const c = useStore(counts);
  const [live, setLive] = useState<LiveState>("closed");
  const [starting, setStarting] = useState(false);
  const [permission, setPermission] = useState(
    "Notification" in window ? Notification.permission : "denied");
  useEffect(() => onLiveState(setLive), []);

  const logout = async () => {
    try {
      await api.logout();
    } finally {
      signedOut();
    }
  };
  const askNotifications = async () => setPermission(await Notification.requestPermission());

  // the New dialogue window is a sibling of the bar, not in it: the bar's styles stay its own
  return (
    <>
      <header class="header">
        <a class="brand" href="/" onClick={link("/")}>{t("app.name")}</a>
        <nav aria-label={t("nav.main")} class="nav">
          <a href="/" onClick={link("/")} aria-current={route.page === "inbox" ? "page" : undefined}>
            {t("nav.inbox")}
            {c && c.unread > 0 && <span class="badge" aria-label={t("inbox.unread", { n: c.unread })}>{c.unread}</span>}
          </a>
          {me.role !== "manager" && (
            <a href="/admin" onClick={link("/admin")}
               aria-current={route.page === "admin" ? "page" : undefined}>{t("nav.admin")}</a>
          )}
        </nav>
        <button type="button" class="primary" onClick={() => setStarting(true)}>{t("nav.newDialogue")}</button>
        <span class={`live live-${live}`} role="status" title={t(`live.${live}`)}
              aria-label={t(`live.${live}`)} />
        {permission === "default" && (
          <button type="button" class="link notify" onClick={askNotifications}>{t("nav.notifications")}</button>
        )}
        <span class="spacer" />
        <label class="lang">
          <span class="sr-only">{t("nav.language")}</span>
          <select value={lang} onChange={(e) => setLanguage((e.currentTarget.value as Lang))}>
            {LANGS.map((l) => <option value={l}>{l.toUpperCase()}</option>)}
          </select>
        </label>
        <NoticeBell />
        <Availability />
        <span class="who" data-testid="who" title={`${me.full_name} · ${t(`role.${me.role}`)}`}>
          {me.full_name} · {t(`role.${me.role}`)}
        </span>
        <button type="button" class="link" onClick={logout}>{t("nav.logout")}</button>
      </header>
      {starting && <NewDialogue onClose={() => setStarting(false)} />}
    </>
  );
}
