// Build the front-end into static/vendor (served locally, no CDN; CSP `script-src 'self'`):
// copy the browser builds of packages used as they are, and bundle our ES module sources with
// esbuild (no eval, no inline script, one small file per page).
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const vendor = join(root, "static", "vendor");
mkdirSync(vendor, { recursive: true });

const files = [
  ["node_modules/socket.io-client/dist/socket.io.min.js", "socket.io.min.js"],
  ["node_modules/socket.io-client/dist/socket.io.min.js.map", "socket.io.min.js.map"],
];
for (const [from, to] of files) {
  copyFileSync(join(root, from), join(vendor, to));
  console.log(`static/vendor/${to}`);
}

// Our modules: source in static/js, bundle in static/vendor.
const bundles = [["static/js/uploader.js", "uploader.bundle.js"]];
for (const [from, to] of bundles) {
  const outfile = join(vendor, to);
  await build({
    entryPoints: [join(root, from)],
    outfile,
    bundle: true,
    format: "iife",
    minify: true,
    sourcemap: "linked",
    legalComments: "linked", // licences in <bundle>.LEGAL.txt, not in the bytes every artist downloads
    charset: "utf8",
    // Browsers from about 2020-2021 on (older phones are common among our artists); newer syntax is
    // lowered. (esbuild cannot lower destructuring for Safari 14, whose implementation has a bug.)
    target: ["es2020", "chrome80", "firefox78", "safari15", "edge88"],
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "warning",
  });
  const bytes = readFileSync(outfile);
  console.log(`${relative(root, outfile)} (${bytes.length} bytes, ${gzipSync(bytes, { level: 9 }).length} gzipped)`);
}
