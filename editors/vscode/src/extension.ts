// The seedls extension: starts the seedls language server for `seed` documents and
// wires its settings, commands and indexing progress into VS Code. All language
// smarts live in the server; this file only finds it, starts it and shows its state.

import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
} from "vscode-languageclient/node";
import { findServer, ServerLookup } from "./serverPath";
import { IndexingStatus } from "./status";
import { IndexingProgressFeature } from "./progress";
import { registerSectionFolding } from "./folding";

const OUTPUT_CHANNEL_NAME = "seedls";

let client: LanguageClient | undefined;
let outputChannel: vscode.OutputChannel;
let status: IndexingStatus;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  outputChannel = vscode.window.createOutputChannel(OUTPUT_CHANNEL_NAME);
  status = new IndexingStatus();
  context.subscriptions.push(outputChannel, status);

  context.subscriptions.push(
    vscode.commands.registerCommand("seedls.restartServer", () => restartServer(context)),
    vscode.commands.registerCommand("seedls.showOutput", () => outputChannel.show(true)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      // The server re-reads its other settings through workspace/didChangeConfiguration;
      // only a new binary needs a restart.
      if (event.affectsConfiguration("seedls.server.path")) {
        void restartServer(context);
      }
    }),
    registerSectionFolding(() => client),
  );

  await startServer(context);
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
  outputChannel.appendLine(`seedls: starting ${lookup.path} (from ${lookup.source})`);

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
    // Sends `workspace/didChangeConfiguration` with `{ settings: { seedls: {...} } }`
    // whenever a `seedls.*` setting changes; `workspace/configuration` requests are
    // answered from the same settings.
    synchronize: { configurationSection: "seedls" },
    initializationOptions: () => initializationOptions(),
  };

  client = new LanguageClient("seedls", "seedls", serverOptions, clientOptions);
  client.registerFeature(new IndexingProgressFeature(client, status));
  client.onDidChangeState((event) => {
    if (event.newState === State.Running) {
      status.showReady();
    } else if (event.newState === State.Stopped) {
      status.showStopped();
    }
  });

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
  if (running !== undefined) {
    try {
      await running.stop(5000);
    } catch (error) {
      outputChannel.appendLine(`seedls: stopping the server failed: ${String(error)}`);
    }
  }
}

async function restartServer(context: vscode.ExtensionContext): Promise<void> {
  outputChannel.appendLine("seedls: restarting the server");
  await stopServer();
  await startServer(context);
}

/** The settings the server reads at start; the same shape as `settings.seedls` later. */
function initializationOptions(): Record<string, unknown> {
  const configuration = vscode.workspace.getConfiguration("seedls");
  return {
    diagnostics: {
      severity: configuration.get<Record<string, string>>("diagnostics.severity") ?? {},
    },
  };
}

async function reportMissingServer(lookup: Extract<ServerLookup, { kind: "missing" }>): Promise<void> {
  const lines = [
    "seedls: the seedls language server was not found.",
    ...lookup.tried.map((place) => `  tried: ${place}`),
    "Build it with `cargo build --release` in the seedls repository, then set",
    "`seedls.server.path` to the built `target/release/seedls` (or put `seedls` on PATH).",
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
