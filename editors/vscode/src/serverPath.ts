// Finds the seedls binary, in this order:
//   1. the `seedls.server.path` setting, when set (a wrong one is reported, never replaced);
//   2. `seedls` on PATH, only when `seedls.server.usePath` is true;
//   3. the binary bundled in the extension's `server/` folder (what users install).
// PATH is not searched by default: an old `cargo install seedls` lying on PATH must not
// silently take the place of the server the extension was built and tested with.

import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";

export type ServerSource = "setting" | "PATH" | "bundled";

export type ServerLookup =
  | { kind: "found"; path: string; source: ServerSource; notes: string[] }
  | { kind: "missing"; tried: string[]; configuredPath?: string };

const BINARY_NAME = process.platform === "win32" ? "seedls.exe" : "seedls";

export function findServer(extensionPath: string): ServerLookup {
  const configuration = vscode.workspace.getConfiguration("seedls");
  const configured = configuration.get<string>("server.path")?.trim();
  if (configured) {
    const resolved = resolveConfiguredPath(configured);
    return isExecutableFile(resolved)
      ? { kind: "found", path: resolved, source: "setting", notes: [] }
      : { kind: "missing", tried: [`seedls.server.path: ${resolved}`], configuredPath: resolved };
  }

  const tried: string[] = [];
  const notes: string[] = [];
  if (configuration.get<boolean>("server.usePath") === true) {
    const onPath = findOnPath(BINARY_NAME);
    if (onPath !== undefined) {
      return { kind: "found", path: onPath, source: "PATH", notes };
    }
    tried.push(`${BINARY_NAME} on PATH (seedls.server.usePath)`);
    notes.push(`seedls.server.usePath is on but ${BINARY_NAME} is not on PATH; using the bundled server`);
  }

  const bundled = bundledServerPath(extensionPath);
  if (fs.existsSync(bundled)) {
    ensureExecutable(bundled);
    if (isExecutableFile(bundled)) {
      return { kind: "found", path: bundled, source: "bundled", notes };
    }
  }
  tried.push(`bundled: ${bundled}`);
  return { kind: "missing", tried };
}

export function bundledServerPath(extensionPath: string): string {
  return path.join(extensionPath, "server", BINARY_NAME);
}

export type VersionCheck =
  | { kind: "match"; version: string }
  | { kind: "mismatch"; serverVersion: string; extensionVersion: string; output: string }
  | { kind: "failed"; reason: string };

/**
 * Runs `seedls --version` (which prints `seedls 0.1.0`) and compares it with the
 * extension's own version: the bundled server and the extension are released together.
 */
export function checkServerVersion(serverPath: string, extensionVersion: string): Promise<VersionCheck> {
  return new Promise((resolve) => {
    execFile(serverPath, ["--version"], { timeout: 10_000, windowsHide: true }, (error, stdout, stderr) => {
      if (error) {
        const detail = stderr.trim() || error.message;
        resolve({ kind: "failed", reason: `\`${serverPath} --version\` failed: ${detail}` });
        return;
      }
      const output = stdout.trim();
      const serverVersion = parseVersionOutput(output);
      if (serverVersion === undefined) {
        resolve({ kind: "failed", reason: `\`${serverPath} --version\` printed "${output}", not "seedls <version>"` });
      } else if (serverVersion === extensionVersion) {
        resolve({ kind: "match", version: serverVersion });
      } else {
        resolve({ kind: "mismatch", serverVersion, extensionVersion, output });
      }
    });
  });
}

/** `seedls 0.1.0` → `0.1.0`; anything else → undefined. */
export function parseVersionOutput(output: string): string | undefined {
  const match = /^seedls\s+(\S+)/.exec(output.split(/\r?\n/, 1)[0]?.trim() ?? "");
  return match?.[1];
}

/** Expands `~` and `${workspaceFolder}`; a relative path is taken from the first workspace folder. */
function resolveConfiguredPath(configured: string): string {
  const workspaceFolder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  let expanded = configured.replace(/\$\{workspaceFolder\}/g, workspaceFolder ?? "");
  if (expanded === "~" || expanded.startsWith("~/")) {
    expanded = path.join(os.homedir(), expanded.slice(1));
  }
  if (!path.isAbsolute(expanded) && workspaceFolder !== undefined) {
    expanded = path.join(workspaceFolder, expanded);
  }
  return path.normalize(expanded);
}

function findOnPath(binary: string): string | undefined {
  for (const directory of (process.env.PATH ?? "").split(path.delimiter)) {
    if (directory === "") {
      continue;
    }
    const candidate = path.join(directory, binary);
    if (isExecutableFile(candidate)) {
      return candidate;
    }
  }
  return undefined;
}

function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    fs.accessSync(file, process.platform === "win32" ? fs.constants.F_OK : fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A .vsix may lose the executable bit of the bundled binary on the way; put it back. */
function ensureExecutable(file: string): void {
  if (process.platform === "win32") {
    return;
  }
  try {
    const mode = fs.statSync(file).mode;
    if ((mode & 0o111) === 0) {
      fs.chmodSync(file, mode | 0o755);
    }
  } catch {
    // Reported as missing by the caller.
  }
}
