import { useState } from "preact/hooks";
import { api } from "../../api/client";
import { t } from "../../i18n";
import { attempt, useLoad } from "./useLoad";

export function Groups() {
  const groups = useLoad(() => api.groups());
  const [name, setName] = useState("");
  const fail = groups.setProblem;
  const add = async (event: Event) => {
    event.preventDefault();
    if (await attempt(() => api.createGroup(name.trim()), fail, groups.reload)) setName("");
  };
  return (
    <>
      {groups.problem && <p class="error" role="alert">{groups.problem}</p>}
      <form class="admin-form inline" onSubmit={add}>
        <label>{t("admin.name")}<input required value={name} onInput={(e) => setName(e.currentTarget.value)} /></label>
        <button type="submit" class="primary">{t("admin.addGroup")}</button>
      </form>
      <table class="grid">
        <thead><tr><th>{t("admin.name")}</th><th>id</th><th /></tr></thead>
        <tbody>
          {(groups.data?.items ?? []).map((g) => (
            <tr>
              <td>{g.name}</td><td class="muted">{g.id}</td>
              <td class="row">
                <button type="button" class="link" onClick={() => {
                  const next = window.prompt(t("admin.rename"), g.name);
                  if (next) void attempt(() => api.renameGroup(g.id, next), fail, groups.reload);
                }}>{t("admin.rename")}</button>
                <button type="button" class="link" onClick={() => void attempt(() => api.deleteGroup(g.id),
                  fail, groups.reload)}>{t("admin.delete")}</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
