// The seedls extension: starts the seedls language server for `seed` documents and
// wires its settings, commands, indexing progress, backlink lens and entity explorer
// into VS Code. All language smarts live in the server; this file only finds it,
// starts it and shows its state.

import * as path from "node:path";
import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
} from "vscode-languageclient/node";
import { checkServerVersion, findServer, ServerLookup } from "./serverPath";
import { IndexingStatus } from "./status";
import { IndexingProgressFeature } from "./progress";
import { registerSectionFolding } from "./folding";
import { registerShowReferences } from "./backlinks";
import { EntityExplorer } from "./entities";

const OUTPUT_CHANNEL_NAME = "seedls";

let client: LanguageClient | undefined;
/** Handlers tied to the running client, disposed with it. */
let clientSubscriptions: vscode.Disposable[] = [];
let outputChannel: vscode.OutputChannel;
let status: IndexingStatus;
let explorer: EntityExplorer;
/** Whether this window has seeds, so that the server runs (see `activate`). */
let serverWanted = false;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  outputChannel = vscode.window.createOutputChannel(OUTPUT_CHANNEL_NAME);
  status = new IndexingStatus();
  explorer = new EntityExplorer(() => client);
  context.subscriptions.push(outputChannel, status, explorer);

  context.subscriptions.push(
    vscode.commands.registerCommand("seedls.restartServer", () => restartServer(context)),
    vscode.commands.registerCommand("seedls.showOutput", () => outputChannel.show(true)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      // A new binary needs a restart.
      const serverSetting =
        event.affectsConfiguration("seedls.server.path") || event.affectsConfiguration("seedls.server.usePath");
      if (serverSetting && serverWanted) {
        void restartServer(context);
        return;
      }
      // The server pulls its settings with workspace/configuration (section `seedls`);
      // this notification only tells it to pull again. Without `synchronize` the
      // client does not send it by itself.
      if (event.affectsConfiguration("seedls") && client?.isRunning()) {
        outputChannel.appendLine("seedls: settings changed; the server pulls them again");
        void client.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
      }
    }),
    registerSectionFolding(() => client),
    registerShowReferences(() => client),
  );

  // The extension also activates on startup, because `workspaceContains` cannot see a
  // workspace that *is* a `seeds` folder (`code seeds/`): the Problems panel and the
  // entity explorer must fill without a seed being opened first. In a window without
  // seeds it stays idle until one is opened.
  if (await workspaceHasSeeds()) {
    await wantServer(context);
  } else {
    const waiting = vscode.workspace.onDidOpenTextDocument((document) => {
      if (document.languageId === "seed") {
        waiting.dispose();
        void wantServer(context);
      }
    });
    context.subscriptions.push(waiting);
  }
}

async function wantServer(context: vscode.ExtensionContext): Promise<void> {
  if (serverWanted) {
    return;
  }
  serverWanted = true;
  await vscode.commands.executeCommand("setContext", "seedls.active", true);
  await startServer(context);
}

async function workspaceHasSeeds(): Promise<boolean> {
  if (vscode.workspace.textDocuments.some((document) => document.languageId === "seed")) {
    return true;
  }
  const folders = vscode.workspace.workspaceFolders ?? [];
  // The language's own rule: `.txt` files under a folder named `seeds`.
  if (folders.some((folder) => folder.uri.scheme === "file" && folder.uri.fsPath.split(path.sep).includes("seeds"))) {
    return true;
  }
  const found = await vscode.workspace.findFiles("{**/*.seed,**/seeds/*.txt,**/seeds/**/*.txt}", "**/node_modules/**", 1);
  return found.length > 0;
}

export async function deactivate(): Promise<void> {
  await stopServer();
}

async function startServer(context: vscode.ExtensionContext): Promise<void> {
  const lookup = findServer(context.extensionPath);
  if (lookup.kind === "missing") {
    status.showMissing();
    await reportMissingServer(lookup);
    return;
  }
  for (const note of lookup.notes) {
    outputChannel.appendLine(`seedls: ${note}`);
  }
  const description = await describeServer(context, lookup);
  outputChannel.appendLine(`seedls: starting ${lookup.path} (${description})`);
  status.describeServer(description);

  const serverOptions: ServerOptions = {
    command: lookup.path,
    args: [],
    options: { env: { ...process.env, RUST_BACKTRACE: process.env.RUST_BACKTRACE ?? "1" } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "seed" },
      { scheme: "untitled", language: "seed" },
    ],
    outputChannel,
    // No `synchronize`: the server asks for the `seedls` section with
    // `workspace/configuration`, which the client answers from the settings.
    initializationOptions: () => initializationOptions(),
    // Pull diagnostics (LSP 3.17): open documents on open, change and save; the
    // client also pulls `workspace/diagnostic` when the server offers it, which
    // fills the Problems panel with files that are not open.
    diagnosticPullOptions: { onChange: true, onSave: true },
  };

  client = new LanguageClient("seedls", "seedls", serverOptions, clientOptions);
  client.registerFeature(new IndexingProgressFeature(client, status, () => explorer.refreshSoon()));
  clientSubscriptions = [
    explorer.attach(client),
    client.onDidChangeState((event) => {
      if (event.newState === State.Running) {
        status.showReady();
        explorer.refresh();
      } else if (event.newState === State.Stopped) {
        status.showStopped();
        explorer.refresh();
      }
    }),
  ];

  try {
    status.showStarting();
    await client.start();
  } catch (error) {
    status.showStopped();
    const message = error instanceof Error ? error.message : String(error);
    outputChannel.appendLine(`seedls: the server failed to start: ${message}`);
    const choice = await vscode.window.showErrorMessage(
      `seedls: the language server at ${lookup.path} failed to start: ${message}`,
      "Show Output",
      "Open Settings",
    );
    if (choice === "Show Output") {
      outputChannel.show(true);
    } else if (choice === "Open Settings") {
      await vscode.commands.executeCommand("workbench.action.openSettings", "seedls.server.path");
    }
  }
}

async function stopServer(): Promise<void> {
  const running = client;
  client = undefined;
  for (const subscription of clientSubscriptions) {
    subscription.dispose();
  }
  clientSubscriptions = [];
  if (running !== undefined) {
    try {
      await running.stop(5000);
    } catch (error) {
      outputChannel.appendLine(`seedls: stopping the server failed: ${String(error)}`);
    }
  }
}

async function restartServer(context: vscode.ExtensionContext): Promise<void> {
  if (!serverWanted) {
    await wantServer(context);
    return;
  }
  outputChannel.appendLine("seedls: restarting the server");
  await stopServer();
  await startServer(context);
}

/**
 * Checks the server's `--version` against the extension's: the bundled server (and one
 * on PATH) must match it, and a mismatch is shown; a server set in `seedls.server.path`
 * is a developer's own build, so its version is only logged.
 */
async function describeServer(
  context: vscode.ExtensionContext,
  lookup: Extract<ServerLookup, { kind: "found" }>,
): Promise<string> {
  const extensionVersion = String(context.extension.packageJSON.version);
  const check = await checkServerVersion(lookup.path, extensionVersion);
  switch (check.kind) {
    case "match":
      return `seedls ${check.version}, ${lookup.source}`;
    case "failed":
      outputChannel.appendLine(`seedls: ${check.reason}`);
      return `version unknown, ${lookup.source}`;
    case "mismatch": {
      const message =
        `seedls: the ${lookup.source === "bundled" ? "bundled" : lookup.source} server is version ` +
        `${check.serverVersion}, but the extension is version ${check.extensionVersion}.`;
      outputChannel.appendLine(`${message} (${lookup.path} --version printed "${check.output}")`);
      if (lookup.source !== "setting") {
        void vscode.window
          .showWarningMessage(
            `${message} Some features may not work; reinstall the extension` +
              (lookup.source === "PATH" ? " or turn off seedls.server.usePath." : "."),
            "Show Output",
          )
          .then((choice) => {
            if (choice === "Show Output") {
              outputChannel.show(true);
            }
          });
      }
      return `seedls ${check.serverVersion} (extension ${check.extensionVersion}), ${lookup.source}`;
    }
  }
}

/** The settings the server reads at start; the same shape as the `seedls` section it pulls later. */
function initializationOptions(): Record<string, unknown> {
  const configuration = vscode.workspace.getConfiguration("seedls");
  return {
    diagnostics: {
      severity: configuration.get<Record<string, string>>("diagnostics.severity") ?? {},
      scope: configuration.get<string>("diagnostics.scope") ?? "open",
    },
  };
}

async function reportMissingServer(lookup: Extract<ServerLookup, { kind: "missing" }>): Promise<void> {
  const lines = [
    "seedls: the seedls language server was not found.",
    ...lookup.tried.map((place) => `  tried: ${place}`),
    "Build it with `cargo build --release` in the seedls repository, then set",
    "`seedls.server.path` to the built `target/release/seedls` (or put `seedls` on PATH",
    "and turn on `seedls.server.usePath`).",
  ];
  for (const line of lines) {
    outputChannel.appendLine(line);
  }
  const choice = await vscode.window.showErrorMessage(
    lookup.configuredPath
      ? `seedls: the server set in seedls.server.path (${lookup.configuredPath}) does not exist. ` +
          "Build it with `cargo build --release` in the seedls repository, or fix the setting."
      : "seedls: the language server binary was not found. Build it with `cargo build --release` " +
          "in the seedls repository, then set seedls.server.path to target/release/seedls.",
    "Open Settings",
    "Show Output",
  );
  if (choice === "Open Settings") {
    await vscode.commands.executeCommand("workbench.action.openSettings", "seedls.server.path");
  } else if (choice === "Show Output") {
    outputChannel.show(true);
  }
}
