// Makes the .vsix users install: a platform-specific package (`vsce package --target`)
// with a stripped copy of the seedls server in server/.
//
//   npm run package                 # seedls-<target>-<version>.vsix for this machine (e.g. linux-x64)
//   npm run package -- --universal  # seedls-<version>.vsix without a server (set seedls.server.path)
//   node scripts/package.mjs --print-name   # the file name `npm run package` makes, and nothing else
//
// The server is ../../target/release/seedls (run `cargo build --release` first), or the
// binary named by SEEDLS_BUNDLE_SERVER. SEEDLS_VSCODE_TARGET packages for another target
// (e.g. linux-arm64) from a binary built for it; such a binary is bundled as given, since
// the host's `strip` may not read it.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const extensionRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { version } = JSON.parse(readFileSync(join(extensionRoot, "package.json"), "utf8"));
const universal = process.argv.includes("--universal");
const hostTarget = vscodeTarget(process.platform, process.arch);
const target = process.env.SEEDLS_VSCODE_TARGET || hostTarget;
if (!universal && target === undefined) {
  fail(`no VS Code target for ${process.platform}-${process.arch}; set SEEDLS_VSCODE_TARGET or use --universal`);
}
const outName = universal ? `seedls-${version}.vsix` : `seedls-${target}-${version}.vsix`;

if (process.argv.includes("--print-name")) {
  console.log(outName);
  process.exit(0);
}

const binaryName = target.startsWith("win32") ? "seedls.exe" : "seedls";
const bundledDir = join(extensionRoot, "server");
// A stale binary from an earlier build must never slip into a package.
rmSync(bundledDir, { recursive: true, force: true });

if (!universal) {
  const builtServer = process.env.SEEDLS_BUNDLE_SERVER
    ? resolve(process.env.SEEDLS_BUNDLE_SERVER)
    : join(extensionRoot, "..", "..", "target", "release", binaryName);
  if (!existsSync(builtServer)) {
    fail(
      `${builtServer} not found: run \`cargo build --release\` in the repository (or set SEEDLS_BUNDLE_SERVER), ` +
        "or make a package without a server with `npm run package -- --universal`",
    );
  }
  const bundledServer = join(bundledDir, binaryName);
  mkdirSync(bundledDir, { recursive: true });
  copyFileSync(builtServer, bundledServer);
  chmodSync(bundledServer, 0o755);
  const before = statSync(bundledServer).size;
  if (target === hostTarget && process.platform !== "win32") {
    // Debug info is most of a release build's size (50 MB → 8 MB here); users never need it.
    execFileSync("strip", [bundledServer], { stdio: "inherit" });
  } else {
    console.log(`package: bundling ${builtServer} for ${target} as given (not the host's target: not stripped here)`);
  }
  if (target === hostTarget) {
    // The extension compares this with its own version at start; catch a mismatch now.
    const printed = execFileSync(bundledServer, ["--version"], { encoding: "utf8" }).trim();
    if (printed !== `seedls ${version}`) {
      fail(`${builtServer} --version printed "${printed}", but the extension is ${version}: bump one of them`);
    }
  }
  console.log(`package: bundled ${builtServer} (${mib(before)} → ${mib(statSync(bundledServer).size)} stripped)`);
}

const vsceArgs = [
  "package",
  "--no-dependencies",
  "--allow-missing-repository",
  "--skip-license",
  "--no-rewrite-relative-links",
  ...(universal ? [] : ["--target", target]),
  "--out",
  outName,
];
const vsce = join(extensionRoot, "node_modules", ".bin", process.platform === "win32" ? "vsce.cmd" : "vsce");
const result = spawnSync(vsce, vsceArgs, { cwd: extensionRoot, stdio: "inherit" });
if (result.status !== 0) {
  fail(`vsce ${vsceArgs.join(" ")} failed (exit status ${result.status ?? result.signal})`);
}
console.log(`package: ${join(extensionRoot, outName)} (${mib(statSync(join(extensionRoot, outName)).size)})`);

/** VS Code's platform names (`vsce package --target`), for the platforms Rust builds here. */
function vscodeTarget(platform, arch) {
  const known = {
    "linux-x64": "linux-x64",
    "linux-arm64": "linux-arm64",
    "linux-arm": "linux-armhf",
    "darwin-x64": "darwin-x64",
    "darwin-arm64": "darwin-arm64",
    "win32-x64": "win32-x64",
    "win32-arm64": "win32-arm64",
  };
  return known[`${platform}-${arch}`];
}

function mib(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function fail(message) {
  console.error(`package: ${message}`);
  process.exit(1);
}
