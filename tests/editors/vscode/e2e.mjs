// Drives real VS Code (code-server, already started by run-vscode.sh with the seedls
// extension installed) through Debian's Chromium and checks what a person sees:
// squiggles and the Problems panel, the hover on `Enver Hoxha`, go to definition into
// another article, and completion of a known commander. Every wait is bounded.
//
// Environment (set by run-vscode.sh):
//   SEEDLS_E2E_URL        http://127.0.0.1:PORT
//   SEEDLS_E2E_WORKSPACE  the folder code-server opened (a copy of seeds/)
//   SEEDLS_E2E_OUT        where screenshots and results.json go
//   SEEDLS_E2E_PROFILE    an empty folder for Chromium's profile
//   SEEDLS_E2E_README_SCREENSHOT  optional: also write the README screenshot there

import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { runGrammarChecks } from "./grammar-checks.mjs";

const URL_BASE = requireEnv("SEEDLS_E2E_URL");
const WORKSPACE = requireEnv("SEEDLS_E2E_WORKSPACE");
const OUT = requireEnv("SEEDLS_E2E_OUT");
const PROFILE = requireEnv("SEEDLS_E2E_PROFILE");
const README_SCREENSHOT = process.env.SEEDLS_E2E_README_SCREENSHOT;

const KOSOVO = "000_8ceb6be1d3ab28f4.txt";
const LANC = "002_5962c10fed6a8e3b.txt";
const SERBIA = "004_5a4f246b0838a0a4.txt";

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
    await page.keyboard.press("Control+Shift+M");
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
  await screenshot(page, "01-diagnostics");

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
        const file = await screenshot(page, "02-hover");
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
    await screenshot(page, "03-definition");
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
    await screenshot(page, "04-completion");
    await page.keyboard.press("Escape");
    if (!found) {
      throw new Error(`no "Enver Hoxha" in the suggestions; saw ${JSON.stringify(texts).slice(0, 300)}`);
    }
    return found.replace(/\s+/g, " ").slice(0, 120);
  });

  // Last, since it stops the server: a wrong seedls.server.path, typed into the
  // Settings editor as a person would, must be reported with the build command.
  await check(page, "a missing server is reported with the build command", async () => {
    await page.keyboard.press("Escape");
    await page.keyboard.press("F1");
    await page.keyboard.type("Preferences: Open User Settings", { delay: 5 });
    await page.waitForTimeout(500);
    const pick = page.locator(".quick-input-widget .monaco-list-row", { hasText: /^Preferences: Open User Settings$/ });
    if ((await pick.count()) > 0) {
      await pick.first().click();
    } else {
      await page.keyboard.press("Enter");
    }
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
    await screenshot(page, "05-missing-server");
    return text.replace(/\s+/g, " ").slice(0, 140);
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
