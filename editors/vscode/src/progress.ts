// Shows the server's work-done progress (`window/workDoneProgress/create`, then
// `$/progress` begin/report/end, as seedls sends while indexing the workspace) in
// the seedls status bar item, and says when all of it has ended (the entity explorer
// refreshes then: the index is complete).
//
// The language client's own progress feature answers `window/workDoneProgress/create`
// too; features registered with `registerFeature` are initialized after the built-in
// ones, so this handler is the one that stays.

import {
  BaseLanguageClient,
  ClientCapabilities,
  StaticFeature,
  WorkDoneProgress,
  WorkDoneProgressCreateParams,
  WorkDoneProgressCreateRequest,
  type FeatureState,
  type ProgressToken,
} from "vscode-languageclient/node";
import { IndexingStatus } from "./status";

export class IndexingProgressFeature implements StaticFeature {
  /** Titles of the work in progress, by token; the item shows the latest one. */
  private readonly titles = new Map<ProgressToken, string>();

  constructor(
    private readonly client: BaseLanguageClient,
    private readonly status: IndexingStatus,
    private readonly onAllWorkDone: () => void = () => {},
  ) {}

  getState(): FeatureState {
    return { kind: "static" };
  }

  fillClientCapabilities(capabilities: ClientCapabilities): void {
    capabilities.window = capabilities.window ?? {};
    capabilities.window.workDoneProgress = true;
  }

  initialize(): void {
    this.client.onRequest(WorkDoneProgressCreateRequest.type, (params: WorkDoneProgressCreateParams) => {
      this.watch(params.token);
    });
  }

  clear(): void {
    this.titles.clear();
  }

  private watch(token: ProgressToken): void {
    const subscription = this.client.onProgress(WorkDoneProgress.type, token, (value) => {
      switch (value.kind) {
        case "begin":
          this.titles.set(token, value.title);
          this.status.showProgress(value.title, value.message, value.percentage);
          break;
        case "report":
          this.status.showProgress(this.titles.get(token) ?? "working", value.message, value.percentage);
          break;
        case "end":
          this.titles.delete(token);
          subscription.dispose();
          if (this.titles.size === 0) {
            this.status.showReady();
            this.onAllWorkDone();
          }
          break;
      }
    });
  }
}
