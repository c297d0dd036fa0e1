// The command behind the server's backlink code lens ("N articles link here" above an
// article's title): `seedls.showReferences` with the LSP-shaped arguments
// [uri: string, position: {line, character}, locations: [{uri, range}]], shown in
// VS Code's references peek. VS Code's own `editor.action.showReferences` wants its
// own types, so the arguments go through the client's protocol converter first.

import * as vscode from "vscode";
import type { BaseLanguageClient, Location as LspLocation, Position as LspPosition } from "vscode-languageclient/node";

export const SHOW_REFERENCES_COMMAND = "seedls.showReferences";

export function registerShowReferences(currentClient: () => BaseLanguageClient | undefined): vscode.Disposable {
  return vscode.commands.registerCommand(SHOW_REFERENCES_COMMAND, async (...args: unknown[]) => {
    const client = currentClient();
    const [uri, position, locations] = args;
    if (client === undefined) {
      void vscode.window.showWarningMessage("seedls: the language server is not running.");
      return;
    }
    if (typeof uri !== "string" || !isPosition(position) || !Array.isArray(locations) || !locations.every(isLocation)) {
      void vscode.window.showErrorMessage(
        "seedls.showReferences expects [uri, {line, character}, [{uri, range}]]; " +
          `got ${JSON.stringify(args).slice(0, 200)}`,
      );
      return;
    }
    const converter = client.protocol2CodeConverter;
    await vscode.commands.executeCommand(
      "editor.action.showReferences",
      converter.asUri(uri),
      converter.asPosition(position),
      locations.map((location) => converter.asLocation(location)),
    );
  });
}

function isPosition(value: unknown): value is LspPosition {
  const candidate = value as LspPosition | null | undefined;
  return typeof candidate?.line === "number" && typeof candidate?.character === "number";
}

function isLocation(value: unknown): value is LspLocation {
  const candidate = value as LspLocation | null | undefined;
  return (
    typeof candidate?.uri === "string" && isPosition(candidate?.range?.start) && isPosition(candidate?.range?.end)
  );
}
