// The "Seed entities" explorer: a tree of the workspace's entities (people, belligerents,
// units, places, conflicts, articles) by kind, or of its conflicts by date (the timeline).
//
// Every row comes from the server's custom requests; this file only asks and draws:
//   seedls/entities {}            → { kinds: [{ kind, label, count }] }
//   seedls/entities { kind }      → { entities: [{ id, name, kind, listings }] }
//   seedls/entity { id, kind, name } → { id, name, kind, locations: [{ uri, range, article, key }] } | null
//   seedls/timeline {}            → { conflicts: [{ id, name, uri, range, date, start, end }] }
// The tree refreshes on the server's `seedls/entitiesChanged` notification, when
// indexing ends, on save of a seed and through the refresh button.

import * as vscode from "vscode";
import { ErrorCodes, ResponseError, State, type BaseLanguageClient } from "vscode-languageclient/node";
import type { Range as LspRange } from "vscode-languageclient/node";

export const ENTITIES_VIEW_ID = "seedls.entities";
export const ENTITIES_CHANGED_NOTIFICATION = "seedls/entitiesChanged";
const MODE_CONTEXT_KEY = "seedls.entities.mode";

type Mode = "kinds" | "timeline";

interface KindSummary {
  kind: string;
  label: string;
  count: number;
}

interface EntitySummary {
  id: string;
  name: string;
  kind: string;
  listings: number;
}

interface EntityLocation {
  uri: string;
  range: LspRange;
  article: string;
  key: string;
}

interface EntityDetails {
  id: string;
  name: string;
  kind: string;
  locations: EntityLocation[];
}

interface TimelineConflict {
  id: string;
  name: string;
  uri: string;
  range: LspRange;
  date: string;
  start?: string | null;
  end?: string | null;
}

type Node =
  | { type: "kind"; summary: KindSummary }
  | { type: "entity"; entity: EntitySummary }
  | { type: "location"; entity: EntitySummary; location: EntityLocation; index: number }
  | { type: "conflict"; conflict: TimelineConflict; index: number };

/** Product icons per entity kind; unknown kinds get a plain symbol. */
const KIND_ICONS: Record<string, string> = {
  article: "file-text",
  person: "person",
  belligerent: "shield",
  unit: "organization",
  place: "location",
  conflict: "flame",
};

export class EntityExplorer implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private mode: Mode = "kinds";
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<Node>;
  private readonly disposables: vscode.Disposable[] = [];
  private refreshTimer: NodeJS.Timeout | undefined;

  constructor(private readonly currentClient: () => BaseLanguageClient | undefined) {
    this.view = vscode.window.createTreeView(ENTITIES_VIEW_ID, { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(
      this.view,
      this.changed,
      vscode.commands.registerCommand("seedls.entities.refresh", () => this.refresh()),
      vscode.commands.registerCommand("seedls.entities.showTimeline", () => this.setMode("timeline")),
      vscode.commands.registerCommand("seedls.entities.showKinds", () => this.setMode("kinds")),
      vscode.commands.registerCommand("seedls.entities.toggleMode", () =>
        this.setMode(this.mode === "kinds" ? "timeline" : "kinds"),
      ),
      vscode.commands.registerCommand("seedls.entities.open", (uri: string, range: LspRange) => this.open(uri, range)),
      vscode.workspace.onDidSaveTextDocument((document) => {
        if (document.languageId === "seed") {
          this.refreshSoon();
        }
      }),
    );
    this.setMode("kinds");
  }

  /** Called when a (new) client is running: its notifications refresh the tree. */
  attach(client: BaseLanguageClient): vscode.Disposable {
    return client.onNotification(ENTITIES_CHANGED_NOTIFICATION, () => this.refreshSoon());
  }

  refresh(): void {
    if (this.refreshTimer !== undefined) {
      clearTimeout(this.refreshTimer);
      this.refreshTimer = undefined;
    }
    this.changed.fire(undefined);
  }

  /** Coalesces bursts (a save and the server's notification for it) into one refresh. */
  refreshSoon(): void {
    if (this.refreshTimer === undefined) {
      this.refreshTimer = setTimeout(() => this.refresh(), 300);
    }
  }

  dispose(): void {
    if (this.refreshTimer !== undefined) {
      clearTimeout(this.refreshTimer);
    }
    for (const disposable of this.disposables) {
      disposable.dispose();
    }
  }

  private setMode(mode: Mode): void {
    this.mode = mode;
    // Shown as "SEED ENTITIES: BY KIND" / "…: TIMELINE" in the side bar's title.
    this.view.title = mode === "kinds" ? "By kind" : "Timeline";
    void vscode.commands.executeCommand("setContext", MODE_CONTEXT_KEY, mode);
    this.refresh();
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.type) {
      case "kind": {
        const item = new vscode.TreeItem(node.summary.label, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `kind:${node.summary.kind}`;
        item.description = String(node.summary.count);
        item.tooltip = `${node.summary.count} ${node.summary.label.toLowerCase()} (${node.summary.kind})`;
        item.iconPath = new vscode.ThemeIcon(KIND_ICONS[node.summary.kind] ?? "symbol-misc");
        item.contextValue = "seedls.kind";
        return item;
      }
      case "entity": {
        const { entity } = node;
        const item = new vscode.TreeItem(entity.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `entity:${entity.id}`;
        item.description = plural(entity.listings, "listing");
        item.tooltip = `${entity.name} — ${entity.kind}, ${plural(entity.listings, "listing")} (${entity.id})`;
        item.iconPath = new vscode.ThemeIcon(KIND_ICONS[entity.kind] ?? "symbol-misc");
        item.contextValue = "seedls.entity";
        return item;
      }
      case "location": {
        const { location } = node;
        const item = new vscode.TreeItem(location.article, vscode.TreeItemCollapsibleState.None);
        item.id = `location:${node.entity.id}:${node.index}`;
        item.description = location.key;
        item.tooltip = `${location.article}: ${location.key} (line ${location.range.start.line + 1})`;
        item.iconPath = new vscode.ThemeIcon("symbol-field");
        item.command = openCommand(location.uri, location.range, location.article);
        return item;
      }
      case "conflict": {
        const { conflict } = node;
        const item = new vscode.TreeItem(conflict.name, vscode.TreeItemCollapsibleState.None);
        item.id = `conflict:${conflict.id}:${node.index}`;
        item.description = conflict.date;
        const span = conflict.start && conflict.end && conflict.start !== conflict.end
          ? `${conflict.start} to ${conflict.end}`
          : conflict.start ?? "";
        item.tooltip = `${conflict.name}\n${conflict.date}${span ? ` (${span})` : ""}`;
        item.iconPath = new vscode.ThemeIcon("calendar");
        item.command = openCommand(conflict.uri, conflict.range, conflict.name);
        return item;
      }
    }
  }

  async getChildren(node?: Node): Promise<Node[]> {
    const client = this.currentClient();
    if (client === undefined || client.state !== State.Running) {
      this.view.message = "Waiting for the seedls language server…";
      return [];
    }
    try {
      const children = await this.childrenFrom(client, node);
      if (node === undefined) {
        this.view.message = children.length === 0 ? emptyMessage(this.mode) : undefined;
      }
      return children;
    } catch (error) {
      this.view.message = failureMessage(error);
      return [];
    }
  }

  private async childrenFrom(client: BaseLanguageClient, node: Node | undefined): Promise<Node[]> {
    if (node === undefined && this.mode === "timeline") {
      const reply = await client.sendRequest<{ conflicts?: TimelineConflict[] } | null>("seedls/timeline", {});
      return (reply?.conflicts ?? []).map((conflict, index) => ({ type: "conflict", conflict, index }));
    }
    if (node === undefined) {
      const reply = await client.sendRequest<{ kinds?: KindSummary[] } | null>("seedls/entities", {});
      return (reply?.kinds ?? []).map((summary) => ({ type: "kind", summary }));
    }
    switch (node.type) {
      case "kind": {
        const reply = await client.sendRequest<{ entities?: EntitySummary[] } | null>("seedls/entities", {
          kind: node.summary.kind,
        });
        return (reply?.entities ?? []).map((entity) => ({ type: "entity", entity }));
      }
      case "entity": {
        const { id, kind, name } = node.entity;
        const reply = await client.sendRequest<EntityDetails | null>("seedls/entity", { id, kind, name });
        return (reply?.locations ?? []).map((location, index) => ({
          type: "location",
          entity: node.entity,
          location,
          index,
        }));
      }
      default:
        return [];
    }
  }

  private async open(uri: string, range: LspRange): Promise<void> {
    const client = this.currentClient();
    if (client === undefined) {
      return;
    }
    const converter = client.protocol2CodeConverter;
    const selection = converter.asRange(range);
    await vscode.window.showTextDocument(converter.asUri(uri), { selection, preview: true });
  }
}

function openCommand(uri: string, range: LspRange, title: string): vscode.Command {
  return { title: `Open ${title}`, command: "seedls.entities.open", arguments: [uri, range] };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function emptyMessage(mode: Mode): string {
  return mode === "kinds"
    ? "No entities yet: seedls has not found any seed documents in this workspace."
    : "No dated conflicts: no seed's infobox has a Date the server can read.";
}

function failureMessage(error: unknown): string {
  if (error instanceof ResponseError && error.code === ErrorCodes.MethodNotFound) {
    return "This seedls server does not answer the explorer's requests (seedls/entities, seedls/timeline): update seedls.";
  }
  const message = error instanceof Error ? error.message : String(error);
  return `seedls could not list the entities: ${message}`;
}
