// Finds the seedls binary: the `seedls.server.path` setting, else `seedls` on PATH,
// else the binary bundled in the extension's `server/` folder.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";

export type ServerLookup =
  | { kind: "found"; path: string; source: "setting" | "PATH" | "bundled" }
  | { kind: "missing"; tried: string[]; configuredPath?: string };

const BINARY_NAME = process.platform === "win32" ? "seedls.exe" : "seedls";

export function findServer(extensionPath: string): ServerLookup {
  const configured = vscode.workspace.getConfiguration("seedls").get<string>("server.path")?.trim();
  if (configured) {
    // An explicit setting wins, and a wrong one is reported rather than silently replaced.
    const resolved = resolveConfiguredPath(configured);
    return isExecutableFile(resolved)
      ? { kind: "found", path: resolved, source: "setting" }
      : { kind: "missing", tried: [`seedls.server.path: ${resolved}`], configuredPath: resolved };
  }

  const tried: string[] = [];
  const onPath = findOnPath(BINARY_NAME);
  if (onPath !== undefined) {
    return { kind: "found", path: onPath, source: "PATH" };
  }
  tried.push(`${BINARY_NAME} on PATH`);

  const bundled = path.join(extensionPath, "server", BINARY_NAME);
  if (fs.existsSync(bundled)) {
    ensureExecutable(bundled);
    if (isExecutableFile(bundled)) {
      return { kind: "found", path: bundled, source: "bundled" };
    }
  }
  tried.push(`bundled: ${bundled}`);
  return { kind: "missing", tried };
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
