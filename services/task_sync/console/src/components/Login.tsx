import { useState } from "preact/hooks";
import { ApiError, api } from "../api/client";
import { LANGS, setLanguage, t, useLanguage, type Lang } from "../i18n";
import { signedIn } from "../state";

export function Login() {
  const lang = useLanguage();
  const [login, setLogin] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      signedIn(await api.login(login.trim(), password));
    } catch (exc) {
      if (exc instanceof ApiError && exc.status === 401) setError(t("login.bad"));
      else if (exc instanceof ApiError && exc.status === 429) {
        setError(t("login.throttled", { seconds: 60 }));
      } else setError(t("login.failed", { reason: exc instanceof Error ? exc.message : "?" }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login">
      <form class="login-form" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">{t("login.title")}</h1>
        <label>
          {t("login.login")}
          <input name="login" autoComplete="username" required autoFocus value={login}
                 onInput={(e) => setLogin(e.currentTarget.value)} />
        </label>
        <label>
          {t("login.password")}
          <input name="password" type="password" autoComplete="current-password" required
                 value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" class="primary" disabled={busy}>{t("login.submit")}</button>
        <label class="lang">
          {t("nav.language")}
          <select value={lang} onChange={(e) => setLanguage(e.currentTarget.value as Lang)}>
            {LANGS.map((l) => <option value={l}>{l.toUpperCase()}</option>)}
          </select>
        </label>
      </form>
    </main>
  );
}
