// The status bar item: shows whether the server runs, and its indexing progress.

import * as vscode from "vscode";

export class IndexingStatus implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  /** Which server runs, e.g. `seedls 0.1.0, bundled`; shown in the tooltip. */
  private server = "";

  constructor() {
    this.item = vscode.window.createStatusBarItem("seedls.status", vscode.StatusBarAlignment.Left, 10);
    this.item.name = "seedls";
    this.item.command = "seedls.showOutput";
    // Shown from the first state change: a window without seeds shows nothing.
  }

  showStarting(): void {
    this.set("$(sync~spin) seedls", "seedls: starting the language server", undefined);
  }

  describeServer(description: string): void {
    this.server = description;
  }

  showReady(): void {
    const which = this.server ? ` (${this.server})` : "";
    this.set("$(check) seedls", `seedls: ready${which} — click to show the output`, undefined);
  }

  showStopped(): void {
    this.set(
      "$(error) seedls",
      "seedls: the language server is not running — click to show the output",
      new vscode.ThemeColor("statusBarItem.errorBackground"),
    );
  }

  showMissing(): void {
    this.set(
      "$(error) seedls: no server",
      "seedls: the seedls binary was not found. Build it with `cargo build --release` and set seedls.server.path.",
      new vscode.ThemeColor("statusBarItem.errorBackground"),
    );
  }

  /** Called for each `$/progress` begin/report of the server's work. */
  showProgress(title: string, message: string | undefined, percentage: number | undefined): void {
    const parts = [title];
    if (message) {
      parts.push(message);
    }
    if (percentage !== undefined) {
      parts.push(`${Math.round(percentage)}%`);
    }
    const text = parts.join(" ");
    this.set(`$(sync~spin) seedls: ${text}`, `seedls: ${text}`, undefined);
  }

  dispose(): void {
    this.item.dispose();
  }

  private set(text: string, tooltip: string, background: vscode.ThemeColor | undefined): void {
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.backgroundColor = background;
    this.item.show();
  }
}
