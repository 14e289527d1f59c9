import { fileUrl } from "../api/client";
import type { Attachment } from "../api/types";
import { t } from "../i18n";
import { size } from "../lib/files";
import { Icon } from "./Icon";

/** A file of a message: images inline, audio and video playable, documents by name and size;
 * still downloading or failed ones said so. */
export function AttachmentView({ attachment: a }: { attachment: Attachment }) {
  if (a.state === "pending" || a.state === "waiting") {
    return <p class="file file-pending" role="status">{t(a.state === "pending" ? "file.pending" : "file.waiting")} · {a.file_name}</p>;
  }
  if (a.state === "failed") {
    return <p class="file file-failed">{a.file_name}: {t("file.failed", { reason: a.reason ?? "?" })}</p>;
  }
  const kind = a.mime_type.split("/")[0];
  if (kind === "image") {
    return (
      <a class="file file-image" href={fileUrl(a.url, true)} target="_blank" rel="noopener noreferrer">
        <img src={fileUrl(a.url, true)} alt={t("file.image", { name: a.file_name })} loading="lazy" />
      </a>
    );
  }
  if (kind === "audio") {
    return (
      <figure class="file file-audio">
        <audio controls preload="none" src={fileUrl(a.url, true)} aria-label={a.file_name} />
        <figcaption><Download attachment={a} /></figcaption>
      </figure>
    );
  }
  if (kind === "video") {
    return (
      <figure class="file file-video">
        <video controls preload="metadata" src={fileUrl(a.url, true)} aria-label={a.file_name} />
        <figcaption><Download attachment={a} /></figcaption>
      </figure>
    );
  }
  return <p class="file file-doc"><Icon name="doc" /> <Download attachment={a} /></p>;
}

function Download({ attachment: a }: { attachment: Attachment }) {
  return (
    <a href={fileUrl(a.url)} download={a.file_name} aria-label={t("file.download", { name: a.file_name })}>
      <span class="file-name">{a.file_name}</span> <span class="file-size">{size(a.size)}</span>
    </a>
  );
}
