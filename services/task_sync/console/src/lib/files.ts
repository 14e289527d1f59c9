// What may be attached, checked before upload (the server checks again: the same defaults as
// WABRIDGE_UPLOAD_MIME_TYPES and WABRIDGE_UPLOAD_MAX_BYTES).
import { language, t } from "../i18n";

export const MAX_BYTES = 10 * 1024 * 1024;
export const MAX_FILES = 10;
export const ALLOWED_TYPES = new Set([
  "image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf", "application/zip",
  "audio/mpeg", "audio/ogg", "audio/aac", "audio/amr", "audio/mp4", "video/mp4", "video/3gpp",
  "text/plain", "text/csv", "application/msword", "application/vnd.ms-excel",
  "application/vnd.ms-powerpoint",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  "application/vnd.openxmlformats-officedocument.presentationml.presentation",
]);
const BY_EXTENSION: Record<string, string> = {
  jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png", gif: "image/gif", webp: "image/webp",
  pdf: "application/pdf", zip: "application/zip", mp3: "audio/mpeg", ogg: "audio/ogg",
  aac: "audio/aac", amr: "audio/amr", m4a: "audio/mp4", mp4: "video/mp4", "3gp": "video/3gpp",
  txt: "text/plain", csv: "text/csv", doc: "application/msword", xls: "application/vnd.ms-excel",
  ppt: "application/vnd.ms-powerpoint",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
};

export function typeOf(file: File): string {
  if (file.type && file.type !== "application/octet-stream") return file.type;
  const ext = file.name.split(".").pop()?.toLowerCase() ?? "";
  return BY_EXTENSION[ext] ?? (file.type || "application/octet-stream");
}

/** The files that may go, and a sentence for each one that may not. */
export function checkFiles(files: File[], already: number): { ok: File[]; refused: string[] } {
  const ok: File[] = [];
  const refused: string[] = [];
  for (const file of files) {
    const type = typeOf(file);
    if (!ALLOWED_TYPES.has(type)) refused.push(t("file.badType", { name: file.name, type }));
    else if (file.size > MAX_BYTES) {
      refused.push(t("file.tooBig", { name: file.name, max: size(MAX_BYTES) }));
    } else if (already + ok.length >= MAX_FILES) refused.push(t("file.tooMany", { n: MAX_FILES }));
    else ok.push(file);
  }
  return { ok, refused };
}

/** 1,5 МБ / 1.5 MB */
export function size(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return "";
  const ru = language.get() === "ru";
  const units = ru ? ["Б", "КБ", "МБ", "ГБ"] : ["B", "KB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const shown = unit === 0 ? String(value) : value.toLocaleString(ru ? "ru-RU" : "en-GB",
    { maximumFractionDigits: 1 });
  return `${shown} ${units[unit]}`;
}
