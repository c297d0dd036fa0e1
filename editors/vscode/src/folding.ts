// Folding of sections (`== Heading ==` up to the next heading of the same or a higher
// level) and of the Infobox block, for servers that do not offer folding ranges.
//
// A language configuration's folding markers cannot do this: a section has no closing
// line, and markers need one. When the server answers `textDocument/foldingRange`
// itself, this provider steps aside so ranges are not offered twice.

import * as vscode from "vscode";
import type { BaseLanguageClient } from "vscode-languageclient/node";

const HEADING = /^(={2,6})\s*[^=\s].*?\s*\1\s*$/;
const INFOBOX = /^Infobox\s*$/;
const INFOBOX_ENTRY = /^-\s/;

export function registerSectionFolding(currentClient: () => BaseLanguageClient | undefined): vscode.Disposable {
  return vscode.languages.registerFoldingRangeProvider(
    { language: "seed" },
    {
      provideFoldingRanges(document) {
        if (currentClient()?.initializeResult?.capabilities.foldingRangeProvider) {
          return [];
        }
        return sectionFoldingRanges(document);
      },
    },
  );
}

export function sectionFoldingRanges(document: vscode.TextDocument): vscode.FoldingRange[] {
  const ranges: vscode.FoldingRange[] = [];
  // Open sections as (level, start line), innermost last.
  const open: Array<{ level: number; start: number }> = [];
  let lastNonBlank = -1;

  const close = (level: number) => {
    while (open.length > 0 && open[open.length - 1].level >= level) {
      const section = open.pop()!;
      if (lastNonBlank > section.start) {
        ranges.push(new vscode.FoldingRange(section.start, lastNonBlank, vscode.FoldingRangeKind.Region));
      }
    }
  };

  for (let line = 0; line < document.lineCount; line++) {
    const text = document.lineAt(line).text;
    const heading = HEADING.exec(text);
    if (heading) {
      close(heading[1].length);
      open.push({ level: heading[1].length, start: line });
    } else if (INFOBOX.test(text)) {
      let end = line;
      while (end + 1 < document.lineCount && INFOBOX_ENTRY.test(document.lineAt(end + 1).text)) {
        end++;
      }
      if (end > line) {
        ranges.push(new vscode.FoldingRange(line, end, vscode.FoldingRangeKind.Region));
      }
    }
    if (text.trim() !== "") {
      lastNonBlank = line;
    }
  }
  close(0);
  return ranges;
}
