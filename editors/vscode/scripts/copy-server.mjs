// Copies a server built in this repository (../../target/release/seedls) into server/,
// so that `npm run package` makes a .vsix that works without any other install.
// Without a built server the .vsix is made all the same: the extension then uses
// the `seedls.server.path` setting or `seedls` on PATH.
import { chmodSync, copyFileSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const extensionRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const binaryName = process.platform === "win32" ? "seedls.exe" : "seedls";
// SEEDLS_BUNDLE_SERVER names another build, e.g. one from a different CARGO_TARGET_DIR.
const builtServer = process.env.SEEDLS_BUNDLE_SERVER
  ? resolve(process.env.SEEDLS_BUNDLE_SERVER)
  : join(extensionRoot, "..", "..", "target", "release", binaryName);
const bundledServer = join(extensionRoot, "server", binaryName);

if (existsSync(builtServer)) {
  mkdirSync(dirname(bundledServer), { recursive: true });
  copyFileSync(builtServer, bundledServer);
  chmodSync(bundledServer, 0o755);
  console.log(`copy-server: bundled ${builtServer}`);
} else {
  // A stale binary from an earlier build must not slip into the package unnoticed.
  rmSync(bundledServer, { force: true });
  console.log(
    `copy-server: ${builtServer} not found (run \`cargo build --release\` in the repository to bundle it); ` +
      "packaging without a bundled server",
  );
}
