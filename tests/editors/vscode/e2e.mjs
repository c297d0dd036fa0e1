// Drives real VS Code (code-server, already started by run-vscode.sh with the seedls
// extension installed from its .vsix) through Debian's Chromium and checks what a person
// sees: the bundled server starting, the Problems panel listing closed seeds, the entity
// explorer (by kind and the timeline), squiggles, the hover on `Enver Hoxha`, go to
// definition into another article, completion of a known commander, the backlink lens
// opening the references peek, and a wrong server path reported. Every wait is bounded.
//
// Environment (set by run-vscode.sh):
//   SEEDLS_E2E_URL        http://127.0.0.1:PORT
//   SEEDLS_E2E_WORKSPACE  the folder code-server opened (a copy of seeds/)
//   SEEDLS_E2E_OUT        where screenshots and results.json go
//   SEEDLS_E2E_PROFILE    an empty folder for Chromium's profile
//   SEEDLS_E2E_USER_DATA  code-server's user data folder (its logs hold the extension's output)
//   SEEDLS_E2E_EXTENSIONS code-server's extensions folder (the installed extension, its server)
//   SEEDLS_E2E_VERSION    the extension's version (package.json)
//   SEEDLS_E2E_README_SCREENSHOT  optional: also write the README screenshot there (and the
//                                 entity explorer's as entities-view.png beside it)

import { copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { chromium } from "playwright-core";
import { runGrammarChecks } from "./grammar-checks.mjs";

const URL_BASE = requireEnv("SEEDLS_E2E_URL");
const WORKSPACE = requireEnv("SEEDLS_E2E_WORKSPACE");
const OUT = requireEnv("SEEDLS_E2E_OUT");
const PROFILE = requireEnv("SEEDLS_E2E_PROFILE");
const USER_DATA = requireEnv("SEEDLS_E2E_USER_DATA");
const EXTENSIONS = requireEnv("SEEDLS_E2E_EXTENSIONS");
const EXTENSION_VERSION = requireEnv("SEEDLS_E2E_VERSION");
const README_SCREENSHOT = process.env.SEEDLS_E2E_README_SCREENSHOT;

const KOSOVO = "000_8ceb6be1d3ab28f4.txt";
const LANC = "002_5962c10fed6a8e3b.txt";
const BAJGORA = "003_c6a9e84190caa186.txt";
const SERBIA = "004_5a4f246b0838a0a4.txt";
const SEEDS = [KOSOVO, "001_3ec3ce2c3b425c2b.txt", LANC, BAJGORA, SERBIA];

/** Bounded waits, in milliseconds. */
const WAIT = {
  workbench: 60_000,
  openFile: 20_000,
  diagnostics: 45_000,
  problems: 20_000,
  hover: 20_000,
  definition: 20_000,
  completion: 20_000,
  missingServer: 20_000,
  explorer: 45_000,
  codeLens: 30_000,
};

const results = [];

function requireEnv(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`e2e: ${name} is not set; run tests/editors/run-vscode.sh`);
    process.exit(2);
  }
  return value;
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function log(message) {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
}

function record(name, ok, detail = "") {
  results.push({ name, ok, detail });
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${detail ? ` — ${detail}` : ""}`);
}

async function screenshot(page, name) {
  const file = join(OUT, `${name}.png`);
  try {
    await page.screenshot({ path: file, timeout: 10_000 });
    log(`screenshot ${file}`);
  } catch (error) {
    log(`screenshot ${name} failed: ${error.message}`);
  }
  return file;
}

/** Runs one check; a thrown error or timeout fails it and saves a screenshot. */
async function check(page, name, body) {
  log(`check: ${name}`);
  try {
    const detail = await body();
    record(name, true, typeof detail === "string" ? detail : "");
  } catch (error) {
    record(name, false, error.message.split("\n")[0]);
    await screenshot(page, `failed-${name.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`);
  }
}

/** Polls `probe` until it returns a truthy value or `timeout` ms pass. */
async function waitFor(description, timeout, probe, interval = 250) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await probe();
    if (last) {
      return last;
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
  throw new Error(`timed out after ${timeout / 1000}s waiting for ${description}`);
}

/** The active editor's title as code-server shows it (tab or window title). */
async function activeEditorName(page) {
  const tab = page.locator(".editor-group-container.active .tabs-container .tab.active").first();
  if ((await tab.count()) > 0) {
    const label = (await tab.getAttribute("aria-label")) ?? (await tab.innerText());
    if (label) {
      return label;
    }
  }
  return page.title();
}

async function openFile(page, fileName) {
  const row = page.locator(".explorer-folders-view .monaco-list-row", { hasText: fileName }).first();
  if ((await row.count()) === 0) {
    await page.keyboard.press("Control+Shift+E");
  }
  try {
    await row.waitFor({ state: "visible", timeout: 10_000 });
    await row.click();
  } catch {
    // The explorer is hidden or lazy: Quick Open finds the file just as well.
    log(`explorer row for ${fileName} not found; using Quick Open`);
    await page.keyboard.press("Control+P");
    await page.keyboard.type(fileName, { delay: 10 });
    await page.waitForTimeout(700);
    await page.keyboard.press("Enter");
  }
  await waitFor(`${fileName} to become the active editor`, WAIT.openFile, async () =>
    (await activeEditorName(page)).includes(fileName),
  );
  // Let the editor render its lines.
  await page.locator(".editor-group-container.active .monaco-editor .view-lines").first().waitFor({
    timeout: WAIT.openFile,
  });
}

/**
 * Screen coordinates of the middle of `needle` on the rendered editor line that also
 * contains `lineMarker`, or null. Monaco renders spaces as no-break spaces.
 */
async function textPosition(page, lineMarker, needle) {
  return page.evaluate(
    ({ lineMarker, needle }) => {
      const normalize = (s) => s.replace(/\u00a0/g, " ");
      const editor = document.querySelector(".editor-group-container.active .monaco-editor .view-lines");
      if (!editor) return null;
      for (const line of editor.querySelectorAll(".view-line")) {
        const text = normalize(line.textContent ?? "");
        if (!text.includes(lineMarker)) continue;
        const start = text.indexOf(needle, text.indexOf(lineMarker));
        if (start < 0) continue;
        const middle = start + Math.floor(needle.length / 2);
        const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
        let offset = 0;
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const length = node.textContent.length;
          if (offset + length > middle) {
            const range = document.createRange();
            range.setStart(node, middle - offset);
            range.setEnd(node, middle - offset + 1);
            const rect = range.getBoundingClientRect();
            return { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 };
          }
          offset += length;
        }
      }
      return null;
    },
    { lineMarker, needle },
  );
}

async function clickText(page, lineMarker, needle) {
  const position = await waitFor(`"${needle}" on the line with "${lineMarker}"`, WAIT.openFile, () =>
    textPosition(page, lineMarker, needle),
  );
  await page.mouse.click(position.x, position.y);
  return position;
}

/** The seed's lines as the test copied it: the oracle for titles, dates and line numbers. */
function seedLines(file) {
  return readFileSync(join(WORKSPACE, file), "utf8").split(/\r?\n/);
}

/** 1-based number of the first line of `file` starting with `prefix` and containing `needle`. */
function lineNumberOf(file, prefix, needle = "") {
  const index = seedLines(file).findIndex((line) => line.startsWith(prefix) && line.includes(needle));
  if (index < 0) {
    throw new Error(`the test's oracle found no line "${prefix}…${needle}" in ${file}`);
  }
  return index + 1;
}

/** `= Kosovo Operation (1944) =` → `Kosovo Operation (1944)`. */
function seedTitle(file) {
  return seedLines(file)[0].replace(/^=+\s*/, "").replace(/\s*=+\s*$/, "");
}

/** The value of an infobox line `- Key: value`. */
function infoboxValue(file, key) {
  const line = seedLines(file).find((l) => l.startsWith(`- ${key}:`));
  return line?.slice(key.length + 3).trim();
}

/** The line of the cursor, from the status bar's `Ln 11, Col 15`. */
async function cursorLine(page) {
  const item = page.locator("#status\\.editor\\.selection");
  const text = (await item.count()) > 0 ? (await item.innerText()).trim() : "";
  const match = /Ln (\d+)/.exec(text);
  return match ? Number(match[1]) : undefined;
}

/** Waits until `fileName` is the active editor with the cursor on `line` (1-based). */
async function waitForEditorAt(page, fileName, line) {
  let seen = "";
  await waitFor(`${fileName} at line ${line}`, WAIT.openFile, async () => {
    const name = await activeEditorName(page);
    const current = await cursorLine(page);
    seen = `${name} at line ${current}`;
    return name.includes(fileName) && current === line;
  }).catch(() => {
    throw new Error(`expected ${fileName} at line ${line}, saw ${seen}`);
  });
  return seen;
}

/** Visible rows of the side bar's tree (the active view only), with their text. */
function sideBarRows(page) {
  return page.locator(".part.sidebar .monaco-list-row").filter({ visible: true });
}

/** Each row as "label description" (the two are separate elements, with no space between). */
async function sideBarRowTexts(page) {
  const texts = await sideBarRows(page).evaluateAll((rows) =>
    rows.map((row) => {
      const label = row.querySelector(".label-name")?.textContent ?? row.textContent ?? "";
      const description = row.querySelector(".label-description")?.textContent ?? "";
      return `${label} ${description}`;
    }),
  );
  return texts.map((text) => text.replace(/\s+/g, " ").trim());
}

/** Clicks the activity bar's "Seed entities" icon and waits for its tree to have rows. */
async function showEntitiesView(page) {
  const icon = page.locator('.part.activitybar [aria-label^="Seed entities"]').first();
  await icon.waitFor({ timeout: WAIT.explorer }).catch(() => {
    throw new Error('no "Seed entities" icon in the activity bar (the view shows once the server starts)');
  });
  const selected = await page
    .locator('.part.activitybar .action-item.checked [aria-label^="Seed entities"], .part.activitybar .action-item.checked[aria-label^="Seed entities"]')
    .count();
  if (selected === 0) {
    await icon.click();
  }
  await page.locator(".part.sidebar .title-label", { hasText: /seed entities/i }).first().waitFor({ timeout: WAIT.openFile });
}

/** The side bar's message (the tree view's `message`), e.g. why it is empty. */
async function sideBarMessage(page) {
  const message = page.locator(".part.sidebar .pane-body .message, .part.sidebar .customview-tree .message").filter({ visible: true });
  return (await message.count()) > 0 ? (await message.first().innerText()).trim() : "";
}

async function waitForSideBarRow(page, description, pattern) {
  let texts = [];
  return waitFor(description, WAIT.explorer, async () => {
    texts = await sideBarRowTexts(page);
    return texts.find((text) => pattern.test(text));
  }).catch(async () => {
    const message = await sideBarMessage(page);
    throw new Error(
      `no row for ${description}; rows: ${JSON.stringify(texts).slice(0, 300)}${message ? `; view says: ${message}` : ""}`,
    );
  });
}

async function clickSideBarRow(page, pattern) {
  await sideBarRows(page).filter({ hasText: pattern }).first().click();
}

/** Opens the Problems panel unless it is open already (Ctrl+Shift+M toggles it). */
async function showProblems(page) {
  const panel = page.locator(".markers-panel").filter({ visible: true });
  if ((await panel.count()) === 0) {
    await page.keyboard.press("Control+Shift+M");
  }
  await panel.first().waitFor({ timeout: WAIT.problems });
}

/** Types into the Problems panel's filter box (which matches messages, sources and codes). */
async function filterProblems(page, text) {
  const input = page
    .locator(".part.panel .viewpane-filter textarea, .part.panel .viewpane-filter input")
    .filter({ visible: true })
    .first();
  await input.click();
  await input.press("Control+A");
  if (text === "") {
    await input.press("Backspace");
  } else {
    await input.pressSequentially(text, { delay: 5 });
  }
}

async function problemRowTexts(page) {
  return (await page.locator(".markers-panel .monaco-list-row").allInnerTexts()).map((t) => t.replace(/\s+/g, " "));
}

/** The extension's output channel, as code-server logs it under the user data folder. */
function extensionOutput() {
  const found = [];
  const walk = (dir) => {
    let entries = [];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(path);
      } else if (/seedls\.log$/.test(entry.name) && !/trace/i.test(entry.name)) {
        found.push(readFileSync(path, "utf8"));
      }
    }
  };
  walk(join(USER_DATA, "logs"));
  return found.join("\n");
}

/** Runs a command from the command palette by its full title. */
async function runCommand(page, title) {
  await page.keyboard.press("Escape");
  await page.keyboard.press("F1");
  await page.locator(".quick-input-widget").filter({ visible: true }).first().waitFor({ timeout: WAIT.openFile });
  await page.keyboard.type(title, { delay: 5 });
  // The row whose label is exactly the title ("… Settings" and "… Settings (JSON)" both match the typing).
  const rows = page.locator(".quick-input-widget .monaco-list-row");
  const index = await waitFor(`"${title}" in the command palette`, WAIT.openFile, async () => {
    const labels = await rows.evaluateAll((nodes) =>
      nodes.map((n) => (n.querySelector(".label-name")?.textContent ?? "").replace(/\s+/g, " ").trim()),
    );
    const found = labels.indexOf(title);
    return found >= 0 ? found + 1 : false;
  });
  await rows.nth(index - 1).click();
}

/** Texts of the visible hover widgets (the first one can be empty). */
async function hoverTexts(page) {
  return page.locator(".monaco-hover").evaluateAll((nodes) =>
    nodes.filter((n) => n.offsetParent !== null || n.getClientRects().length > 0).map((n) => n.innerText),
  );
}

async function main() {
  mkdirSync(OUT, { recursive: true });

  for (const r of await runGrammarChecks()) {
    record(r.name, r.ok, r.ok ? "" : r.detail);
  }

  log("launching Chromium");
  const context = await chromium.launchPersistentContext(PROFILE, {
    executablePath: process.env.SEEDLS_E2E_CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1440, height: 900 },
    timeout: 60_000,
  });
  context.setDefaultTimeout(20_000);
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (error) => log(`page error: ${error.message}`));

  try {
    await runEditorChecks(page);
  } finally {
    await context.close().catch(() => {});
  }
}

async function runEditorChecks(page) {
  const url = `${URL_BASE}/?folder=${encodeURIComponent(WORKSPACE)}`;
  log(`opening ${url}`);

  let workbenchReady = false;
  await check(page, "workbench loads", async () => {
    await page.goto(url, { timeout: WAIT.workbench, waitUntil: "domcontentloaded" });
    await page.locator(".monaco-workbench").waitFor({ timeout: WAIT.workbench });
    // The explorer shows the seeds once the folder is read.
    await page
      .locator(".explorer-folders-view .monaco-list-row", { hasText: KOSOVO })
      .first()
      .waitFor({ timeout: WAIT.workbench })
      .catch(() => log("explorer did not list the seeds in time"));
    workbenchReady = true;
  });
  if (!workbenchReady) {
    return;
  }


  // The extension as users install it: the server bundled in the .vsix (run-vscode.sh
  // sets no seedls.server.path), checked with `seedls --version` at start.
  await check(page, `the bundled server starts and its --version matches the extension's ${EXTENSION_VERSION}`, async () => {
    let output = "";
    const line = await waitFor("the extension's output to name the server it starts", WAIT.diagnostics, async () => {
      output = extensionOutput();
      return output.split("\n").find((l) => l.includes("seedls: starting "));
    }).catch(() => {
      throw new Error(`the extension's output names no server: ${JSON.stringify(output.slice(0, 300))}`);
    });
    if (!/\/server\/seedls /.test(line) || !line.includes(`(seedls ${EXTENSION_VERSION}, bundled)`)) {
      throw new Error(`expected the bundled server at version ${EXTENSION_VERSION}: ${line.trim()}`);
    }
    const toasts = await page.locator(".notifications-toasts .notification-toast").allInnerTexts();
    const warning = toasts.find((text) => text.includes("version"));
    if (warning) {
      throw new Error(`a version warning is shown: ${warning.replace(/\s+/g, " ")}`);
    }
    return line.replace(/^.*seedls: /, "").trim();
  });

  // Problems of every file: no editor is open, yet the Problems panel lists the seeds'
  // problems (pull diagnostics: workspace/diagnostic, with seedls.diagnostics.scope set
  // to "workspace" by run-vscode.sh). The panel's filter finds each code by its file.
  await check(page, "the Problems panel lists problems of closed seeds (workspace/diagnostic)", async () => {
    const tabs = (await page.locator(".editor-group-container .tabs-container .tab").allInnerTexts()).filter((t) =>
      SEEDS.some((seed) => t.includes(seed)),
    );
    if (tabs.length > 0) {
      throw new Error(`seeds are open (${tabs.join(", ")}); this check needs none`);
    }
    await showProblems(page);
    const expected = [
      { code: "scrape-debris", file: BAJGORA },
      { code: "infobox-empty-item", file: LANC },
      { code: "infobox-empty-value", file: SERBIA },
      { code: "infobox-empty-value", file: KOSOVO },
    ];
    const found = [];
    for (const { code, file } of expected) {
      await filterProblems(page, code);
      let rows = [];
      await waitFor(`${code} under ${file} in the Problems panel`, WAIT.diagnostics, async () => {
        rows = await problemRowTexts(page);
        return rows.some((t) => t.includes(file)) && rows.some((t) => t.includes(code));
      }).catch(() => {
        throw new Error(
          `no ${code} of the closed ${file} (found so far: ${found.join(", ") || "none"}); rows: ${JSON.stringify(rows).slice(0, 300)}`,
        );
      });
      found.push(`${code} in ${file.slice(0, 3)}`);
    }
    await filterProblems(page, "");
    await page.waitForTimeout(500);
    await screenshot(page, "01-workspace-problems");
    const files = new Set((await problemRowTexts(page)).flatMap((t) => SEEDS.filter((seed) => t.includes(seed))));
    return `${found.join(", ")}; ${files.size} seed file(s) in view`;
  });
  // Close the panel again: the checks below open it themselves.
  if ((await page.locator(".markers-panel").filter({ visible: true }).count()) > 0) {
    await page.keyboard.press("Control+Shift+M");
  }

  // The entity explorer: kinds with counts, a person with his listing count, his
  // listings, and a click that opens the article at the listing's line.
  await check(page, "the entity explorer lists People, Enver Hoxha's listings, and opens one at its line", async () => {
    await showEntitiesView(page);
    const people = await waitForSideBarRow(page, "the People kind with a count", /^People \d+$/);
    await clickSideBarRow(page, /^People/);
    // Oracle: Enver Hoxha's infobox listings in the seeds (Commander1 of 000 and 002).
    const listings = SEEDS.filter((file) => seedLines(file).some((l) => /^- \w+\d?:/.test(l) && l.includes("Enver Hoxha")));
    const expectedCount = `${listings.length} listing${listings.length === 1 ? "" : "s"}`;
    const hoxha = await waitForSideBarRow(page, `Enver Hoxha with ${expectedCount}`, new RegExp(`^Enver Hoxha ${expectedCount}$`));
    await clickSideBarRow(page, /^Enver Hoxha/);
    const lancTitle = seedTitle(LANC);
    const kosovoTitle = seedTitle(KOSOVO);
    await waitForSideBarRow(page, `the listing in ${kosovoTitle}`, new RegExp(`^${escapeRegExp(kosovoTitle)} Commander1$`));
    await waitForSideBarRow(page, `the listing in ${lancTitle}`, new RegExp(`^${escapeRegExp(lancTitle)} Commander1$`));
    const entitiesShot = await screenshot(page, "02-entities");
    if (README_SCREENSHOT) {
      copyFileSync(entitiesShot, join(dirname(README_SCREENSHOT), "entities-view.png"));
    }
    await clickSideBarRow(page, new RegExp(`^${escapeRegExp(lancTitle)}`));
    const at = await waitForEditorAt(page, LANC, lineNumberOf(LANC, "- Commander1:", "Enver Hoxha"));
    return `${people}; ${hoxha}; the click opened ${at}`;
  });

  await check(page, "the entity explorer's timeline lists the conflicts by date and opens one at its Date line", async () => {
    await showEntitiesView(page);
    const button = page.locator('.part.sidebar .action-label[aria-label*="Timeline"]').first();
    await page.locator(".part.sidebar").hover();
    await button.click({ timeout: WAIT.openFile });
    // Oracle: the seeds' Date lines, earliest first (1912, mid-June 1944, 15 October 1944).
    const dated = [SERBIA, LANC, KOSOVO].map((file) => ({ file, date: infoboxValue(file, "Date") }));
    const rows = await waitFor("the three dated conflicts in the timeline", WAIT.explorer, async () => {
      const texts = await sideBarRowTexts(page);
      return dated.every(({ date }) => texts.some((t) => t.endsWith(date))) ? texts : false;
    }).catch(async () => {
      const message = await sideBarMessage(page);
      throw new Error(
        `timeline rows: ${JSON.stringify(await sideBarRowTexts(page)).slice(0, 300)}${message ? `; view says: ${message}` : ""}`,
      );
    });
    const order = dated.map(({ date }) => rows.findIndex((t) => t.endsWith(date)));
    if (!order.every((index, i) => i === 0 || order[i - 1] < index)) {
      throw new Error(`not in date order: ${JSON.stringify(rows)}`);
    }
    await screenshot(page, "03-timeline");
    const kosovo = dated[2];
    await sideBarRows(page).filter({ hasText: kosovo.date }).first().click();
    const at = await waitForEditorAt(page, KOSOVO, lineNumberOf(KOSOVO, "- Date:"));
    // Back to the kinds, as the view starts.
    await page.locator(".part.sidebar").hover();
    await page.locator('.part.sidebar .action-label[aria-label*="by Kind"]').first().click().catch(() => {});
    return `${rows.length} conflict(s): ${dated.map(({ date }) => date).join(" < ")}; the click opened ${at}`;
  });

  await check(page, "a seeds/*.txt file opens as language Seed", async () => {
    await openFile(page, KOSOVO);
    const mode = page.locator("#status\\.editor\\.mode");
    const text = await waitFor("the status bar language mode", WAIT.openFile, async () => {
      const t = (await mode.count()) > 0 ? (await mode.innerText()).trim() : "";
      return t === "Seed" ? t : false;
    }).catch(async () => {
      throw new Error(`language mode is "${(await mode.count()) > 0 ? await mode.innerText() : "absent"}", not "Seed"`);
    });
    return `language mode ${text}`;
  });

  await check(page, "diagnostics show as squiggles", async () => {
    const squiggles = page.locator(
      ".editor-group-container.active .monaco-editor [class*='squiggly-error'], " +
        ".editor-group-container.active .monaco-editor [class*='squiggly-warning'], " +
        ".editor-group-container.active .monaco-editor [class*='squiggly-info'], " +
        ".editor-group-container.active .monaco-editor [class*='squiggly-hint']",
    );
    await waitFor("a squiggle in the editor", WAIT.diagnostics, async () => (await squiggles.count()) > 0, 500);
    return `${await squiggles.count()} squiggle(s)`;
  });

  await check(page, "the seedls status bar item shows the server ready", async () => {
    const item = page.locator("footer .statusbar-item", { hasText: "seedls" }).first();
    await waitFor("the seedls status bar item with a check mark", WAIT.problems, async () =>
      (await item.count()) > 0 && (await item.locator(".codicon-check").count()) > 0,
    ).catch(async () => {
      const text = (await item.count()) > 0 ? await item.innerText() : "absent";
      throw new Error(`status bar item is "${text.trim()}", not ready`);
    });
    return (await item.innerText()).trim();
  });

  await check(page, "the Problems panel lists seedls diagnostics (heading-spacing raised by seedls.diagnostics.severity)", async () => {
    await showProblems(page);
    // Only this file's problems: with the workspace scope every seed is listed.
    await filterProblems(page, KOSOVO);
    const rows = page.locator(".markers-panel .monaco-list-row");
    const texts = await waitFor("seedls rows in the Problems panel", WAIT.problems, async () => {
      const all = await rows.allInnerTexts();
      return all.some((t) => t.includes("seedls")) ? all : false;
    });
    const joined = texts.join("\n");
    const expectedCodes = ["infobox-empty-value", "heading-spacing"];
    const missing = expectedCodes.filter((code) => !joined.includes(code));
    if (missing.length > 0) {
      throw new Error(`Problems panel has seedls rows but not the codes ${missing.join(", ")}: ${joined.slice(0, 300)}`);
    }
    return `${texts.length} row(s), codes ${expectedCodes.join(", ")}`;
  });
  await screenshot(page, "04-diagnostics");

  // A setting changed while the server runs: the extension sends didChangeConfiguration
  // and the server pulls the `seedls` section again (workspace/configuration). Edited in
  // settings.json, as a person would; heading-spacing must stay raised, name-variant go.
  await check(page, "a seedls.diagnostics.severity change reaches the running server (workspace/configuration)", async () => {
    await showProblems(page);
    await filterProblems(page, "name-variant");
    let rows = [];
    await waitFor("name-variant in the Problems panel before the change", WAIT.problems, async () => {
      rows = await problemRowTexts(page);
      return rows.some((t) => t.includes("name-variant"));
    });
    // code-server does not notice a settings.json written behind its back: edit it in
    // the editor and save, as a person would.
    const settings = JSON.parse(readFileSync(join(USER_DATA, "User", "settings.json"), "utf8"));
    settings["seedls.diagnostics.severity"] = { ...settings["seedls.diagnostics.severity"], "name-variant": "off" };
    await runCommand(page, "Preferences: Open User Settings (JSON)");
    await waitFor("settings.json to be the active editor", WAIT.openFile, async () =>
      (await activeEditorName(page)).includes("settings.json"),
    );
    await page.locator(".editor-group-container.active .monaco-editor .view-lines").first().click();
    await page.keyboard.press("Control+A");
    await page.keyboard.insertText(JSON.stringify(settings, null, 2));
    await page.keyboard.press("Control+S");
    await page.waitForTimeout(500);
    await runCommand(page, "View: Close Editor");
    await waitFor("name-variant to leave the Problems panel", WAIT.problems, async () => {
      rows = await problemRowTexts(page);
      return !rows.some((t) => t.includes("name-variant"));
    }).catch(() => {
      throw new Error(`name-variant is still listed after "name-variant": "off": ${JSON.stringify(rows).slice(0, 200)}`);
    });
    await filterProblems(page, "heading-spacing");
    await waitFor("heading-spacing still listed", WAIT.problems, async () => {
      rows = await problemRowTexts(page);
      return rows.some((t) => t.includes("heading-spacing"));
    }).catch(() => {
      throw new Error("heading-spacing (raised to a warning) went away too: the server lost the other settings");
    });
    return "name-variant gone, heading-spacing still a warning";
  });

  await check(page, "hovering Enver Hoxha shows the server's hover", async () => {
    const position = await waitFor('"Enver Hoxha" on the Commander1 line', WAIT.openFile, () =>
      textPosition(page, "Commander1:", "Enver Hoxha"),
    );
    const deadline = Date.now() + WAIT.hover;
    let seen = [];
    let attempt = 0;
    while (Date.now() < deadline) {
      // Move away and back so each attempt is a fresh hover.
      await page.mouse.move(position.x, position.y + 200);
      await page.waitForTimeout(150);
      await page.mouse.move(position.x - 2 + (attempt % 3) * 2, position.y);
      attempt++;
      const found = await waitFor("hover", 4_000, async () => {
        seen = await hoverTexts(page);
        return seen.find((t) => t.includes("Person") && t.includes("Enver Hoxha"));
      }).catch(() => undefined);
      if (found) {
        await page.waitForTimeout(300);
        const file = await screenshot(page, "05-hover");
        if (README_SCREENSHOT) {
          copyFileSync(file, README_SCREENSHOT);
          log(`README screenshot updated: ${README_SCREENSHOT}`);
        }
        return found.replace(/\s+/g, " ").slice(0, 120);
      }
    }
    throw new Error(`no hover with "Person" and "Enver Hoxha"; hovers seen: ${JSON.stringify(seen).slice(0, 300)}`);
  });
  await page.mouse.move(5, 5);
  await page.keyboard.press("Escape");

  await check(page, "go to definition jumps to another article", async () => {
    await openFile(page, LANC);
    await clickText(page, "Commander1:", "Enver Hoxha");
    await page.waitForTimeout(300);
    await page.keyboard.press("F12");
    const name = await waitFor(`the active editor to change from ${LANC}`, WAIT.definition, async () => {
      const current = await activeEditorName(page);
      return current.includes(LANC) ? false : current;
    });
    await page.waitForTimeout(500);
    await screenshot(page, "06-definition");
    if (!name.includes(KOSOVO)) {
      throw new Error(`jumped to "${name}", expected ${KOSOVO} (the first location by path)`);
    }
    return `now in ${name}`;
  });

  await check(page, "completion offers a known commander", async () => {
    await openFile(page, SERBIA);
    await clickText(page, "Commander2:", "King Nikola");
    await page.keyboard.press("End");
    await page.keyboard.type(", Enve", { delay: 60 });
    const rows = page.locator(".suggest-widget .monaco-list-row");
    let texts = [];
    const probe = async () => {
      texts = await rows.allInnerTexts();
      return texts.find((t) => t.includes("Enver Hoxha"));
    };
    let found = await waitFor("Enver Hoxha in the suggestions", 6_000, probe).catch(() => undefined);
    if (!found) {
      // Quick suggestions may not have fired: ask explicitly, as a person would.
      await page.keyboard.press("Control+Space");
      found = await waitFor("Enver Hoxha in the suggestions", WAIT.completion, probe).catch(() => undefined);
    }
    await screenshot(page, "07-completion");
    await page.keyboard.press("Escape");
    if (!found) {
      throw new Error(`no "Enver Hoxha" in the suggestions; saw ${JSON.stringify(texts).slice(0, 300)}`);
    }
    return found.replace(/\s+/g, " ").slice(0, 120);
  });


  // The backlink lens: none of the seeds names another, so link 004 to 000 the way a
  // writer would (typed, unsaved), then click the lens above 000's title.
  await check(page, "the backlink lens above a title opens the references peek with the linking article", async () => {
    await page.keyboard.press("Escape");
    await openFile(page, SERBIA);
    // Focus the text (opening from the explorer leaves the focus there).
    await clickText(page, "Partof:", "Partof");
    await page.keyboard.press("Control+End");
    await page.keyboard.press("Enter");
    const title = seedTitle(KOSOVO);
    await page.keyboard.type(`See also the ${title}.`, { delay: 10 });
    await page.keyboard.press("Escape");
    await openFile(page, KOSOVO);
    const lenses = page.locator(".editor-group-container.active .codelens-decoration");
    let seen = [];
    const lens = await waitFor('a clickable "1 article links here" lens', WAIT.codeLens, async () => {
      seen = await lenses.evaluateAll((nodes) =>
        nodes.map((n) => ({ text: n.innerText.trim(), clickable: n.querySelector("a") !== null })),
      );
      return seen.find((l) => l.clickable && /^1 article links here$/.test(l.text));
    }).catch(() => {
      throw new Error(
        `no clickable backlink lens (a lens without a command is plain text); lenses: ${JSON.stringify(seen)}`,
      );
    });
    await lenses.locator("a", { hasText: lens.text }).first().click();
    const peek = page.locator(".peekview-widget, .reference-zone-widget").filter({ visible: true }).first();
    await peek.waitFor({ timeout: WAIT.codeLens }).catch(() => {
      throw new Error("no references peek after clicking the lens");
    });
    const text = await waitFor(`${SERBIA} in the references peek`, WAIT.codeLens, async () => {
      const t = (await peek.innerText()).replace(/\s+/g, " ");
      return t.includes(SERBIA) ? t : false;
    }).catch(async () => {
      throw new Error(`the peek does not list ${SERBIA}: ${(await peek.innerText()).replace(/\s+/g, " ").slice(0, 300)}`);
    });
    const others = SEEDS.filter((seed) => seed !== SERBIA && seed !== KOSOVO && text.includes(seed));
    await screenshot(page, "08-backlinks");
    await page.keyboard.press("Escape");
    if (others.length > 0) {
      throw new Error(`the peek lists articles that do not link here: ${others.join(", ")}`);
    }
    return `lens "${lens.text}", peek lists ${SERBIA}`;
  });

  // Last, since it stops the server: a wrong seedls.server.path, typed into the
  // Settings editor as a person would, must be reported with the build command.
  await check(page, "a missing server is reported with the build command", async () => {
    await runCommand(page, "Preferences: Open User Settings");
    const editor = page.locator(".settings-editor");
    await editor.waitFor({ timeout: WAIT.missingServer });
    await page.keyboard.type("seedls.server.path", { delay: 5 });
    // The setting is machine-overridable: in code-server it is under the Remote tab.
    const remoteTab = editor.locator(".settings-tabs-widget .action-label", { hasText: "Remote" });
    if ((await remoteTab.count()) > 0) {
      await remoteTab.first().click();
    }
    const input = editor.locator(".setting-item-contents", { hasText: "Server: Path" }).locator("input").first();
    await input.waitFor({ timeout: WAIT.missingServer });
    await input.fill("/nonexistent/seedls");
    await input.press("Tab");
    const toasts = page.locator(".notifications-toasts .notification-toast");
    const text = await waitFor("an error notification naming cargo build --release", WAIT.missingServer, async () => {
      const all = await toasts.allInnerTexts();
      return all.find((t) => t.includes("/nonexistent/seedls") && t.includes("cargo build --release"));
    });
    const button = toasts.filter({ hasText: "/nonexistent/seedls" }).getByRole("button", { name: "Open Settings" });
    if ((await button.count()) === 0) {
      throw new Error(`the notification has no "Open Settings" button: ${text}`);
    }
    await screenshot(page, "09-missing-server");
    return text.replace(/\s+/g, " ").slice(0, 140);
  });

  // The bundled server of another version (a wrapper in its place that answers
  // `--version` with 0.0.0-e2e and runs the real server otherwise): clearing
  // seedls.server.path restarts the bundled one, with a warning naming both versions.
  await check(page, "a bundled server of another version is reported with both versions, and still runs", async () => {
    const serverDir = join(EXTENSIONS, `seedls.seedls-${EXTENSION_VERSION}`, "server");
    renameSync(join(serverDir, "seedls"), join(serverDir, "seedls-real"));
    writeFileSync(
      join(serverDir, "seedls"),
      '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "seedls 0.0.0-e2e"; exit 0; fi\nexec "$(dirname "$0")/seedls-real" "$@"\n',
      { mode: 0o755 },
    );
    const input = page
      .locator(".settings-editor .setting-item-contents", { hasText: "Server: Path" })
      .locator("input")
      .first();
    await input.fill("");
    await input.press("Tab");
    const toasts = page.locator(".notifications-toasts .notification-toast");
    const text = await waitFor("a warning naming 0.0.0-e2e and the extension's version", WAIT.missingServer, async () => {
      const all = await toasts.allInnerTexts();
      return all.find((t) => t.includes("0.0.0-e2e") && t.includes(EXTENSION_VERSION));
    });
    const item = page.locator("footer .statusbar-item", { hasText: "seedls" }).first();
    await waitFor("the status bar item to show the server ready again", WAIT.missingServer, async () =>
      (await item.locator(".codicon-check").count()) > 0,
    );
    await screenshot(page, "10-version-mismatch");
    return text.replace(/\s+/g, " ").slice(0, 160);
  });
}

const started = Date.now();
try {
  await main();
} catch (error) {
  record("the e2e driver runs to the end", false, error.message.split("\n")[0]);
}
const failed = results.filter((r) => !r.ok).length;
writeFileSync(
  join(OUT, "results.json"),
  JSON.stringify({ passed: results.length - failed, failed, seconds: (Date.now() - started) / 1000, results }, null, 2),
);
log(`driver finished in ${((Date.now() - started) / 1000).toFixed(1)}s: ${results.length - failed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
