// The console's first load, compressed: index.html and every asset it references (scripts,
// styles, preloads), gzip level 9 as a server would send them. Fails over the budget.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync, brotliCompressSync } from "node:zlib";

const BUDGET = 300 * 1024;
const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");
const html = readFileSync(join(dist, "index.html"));
const referenced = [...html.toString().matchAll(/(?:src|href)="\/([^"]+)"/g)].map((m) => m[1]);
let raw = html.length;
let gzip = gzipSync(html, { level: 9 }).length;
let brotli = brotliCompressSync(html).length;
for (const path of referenced) {
  const body = readFileSync(join(dist, path));
  raw += body.length;
  gzip += gzipSync(body, { level: 9 }).length;
  brotli += brotliCompressSync(body).length;
}
const kb = (n) => (n / 1024).toFixed(1);
console.log(`console first load: ${referenced.length + 1} files, ${kb(raw)} KB raw, ` +
  `${kb(gzip)} KB gzip, ${kb(brotli)} KB brotli (budget ${kb(BUDGET)} KB compressed)`);
if (gzip > BUDGET) {
  console.error("console first load is over budget");
  process.exit(1);
}
