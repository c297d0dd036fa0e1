// Checks the extension's TextMate grammar (editors/vscode/syntaxes/seed.tmLanguage.json)
// with the same engine VS Code uses (vscode-textmate + oniguruma): each case names a
// line, a piece of it, and a scope that piece must carry.
//
// Used by e2e.mjs; `node grammar-checks.mjs` runs it alone.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import vsctm from "vscode-textmate";
import oniguruma from "vscode-oniguruma";

const here = dirname(fileURLToPath(import.meta.url));
const grammarPath = join(here, "..", "..", "..", "editors", "vscode", "syntaxes", "seed.tmLanguage.json");

// [line, piece of the line, scope the piece's first character carries, which occurrence (default 0)]
const CASES = [
  ["= Kosovo Operation (1944) =", "Kosovo", "entity.name.section.title.seed"],
  ["= Kosovo Operation (1944) =", "=", "punctuation.definition.heading.begin.seed"],
  ["== Background ==", "Background", "markup.heading.2.seed"],
  ["== Background ==", "Background", "entity.name.section.seed"],
  ["=== German and Collaborator Defenses ===", "German", "markup.heading.3.seed"],
  ["==Aftermath==", "Aftermath", "markup.heading.2.seed"],
  ["==Aftermath==", "==", "punctuation.definition.heading.end.seed", 1],
  ["Infobox", "Infobox", "keyword.other.infobox.seed"],
  ["- Combatant2: ,", "Combatant", "support.type.property-name.key.seed"],
  ["- Combatant2: ,", "2", "constant.numeric.side.seed"],
  ["- Combatant2: ,", ":", "punctuation.separator.key-value.seed"],
  ["- Combatant2: ,", "-", "punctuation.definition.list.begin.seed"],
  ["- Partof: World War II in Yugoslavia", "Partof", "support.type.property-name.key.seed"],
  ["- Commander1: Kiril Stanchev, Mile Čalović", "Kiril", "meta.infobox.entry.seed"],
  ["- Units1: 2nd Bulgarian Army, *2nd Division, *4th Division", "*", "punctuation.definition.list.nested.level-1.seed"],
  ["- Units2: 22px Royal Serbian Army, * Ibar army, ** Drina division II", "**", "punctuation.definition.list.nested.level-2.seed"],
  ["- Units2: 22px Royal Serbian Army, * Ibar army", "22px", "invalid.deprecated.residue.image-size.seed"],
  ["- Combatant1: LANÇ<hr />, , Bulgaria,", "hr", "entity.name.tag.residue.seed"],
  ["- Combatant1: <hr> Independent Albania", "<", "punctuation.definition.tag.begin.seed"],
  ["line one<br>line two", "br", "entity.name.tag.residue.seed"],
  ["- Stratsin-Kumanovo operation", "-", "punctuation.definition.list.begin.seed"],
  ["- Stratsin-Kumanovo operation", "Stratsin", "markup.list.unnumbered.seed"],
  ["[11] Martial planning was coordinated", "11", "constant.other.reference.citation.seed"],
  ["[12][13] These martial provisions", "13", "constant.numeric.citation.seed"],
  ["[citation needed] Developments in Romania", "citation needed", "keyword.other.citation-needed.seed"],
  ["< Prev   Next >", "Prev", "invalid.deprecated.residue.navigation.seed"],
];

// Pieces that must NOT carry a scope: prose stays prose.
const NEGATIVE_CASES = [
  ["The Kosovo Operation was a major offensive", "Kosovo", "markup.heading"],
  ["Belgrade offensive", "Belgrade", "markup.heading"],
  ["- Albania during the Balkan Wars", "Albania", "support.type.property-name"],
  ["Numbering at most 2,000 men", "2,000", "punctuation.separator.value.seed"],
];

async function loadGrammar() {
  const require = createRequire(import.meta.url);
  const wasm = readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm")).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName) =>
      scopeName === "text.seed"
        ? vsctm.parseRawGrammar(readFileSync(grammarPath, "utf8"), grammarPath)
        : null,
  });
  return registry.loadGrammar("text.seed");
}

function scopesAt(grammar, line, piece, occurrence = 0) {
  let index = -1;
  for (let i = 0; i <= occurrence; i++) {
    index = line.indexOf(piece, index + 1);
  }
  if (index < 0) {
    throw new Error(`test case is wrong: ${JSON.stringify(piece)} not in ${JSON.stringify(line)}`);
  }
  const { tokens } = grammar.tokenizeLine(line, vsctm.INITIAL);
  const token = tokens.find((t) => t.startIndex <= index && index < t.endIndex);
  return token ? token.scopes : [];
}

/** Returns one `{ name, ok, detail }` per case. */
export async function runGrammarChecks() {
  const grammar = await loadGrammar();
  const results = [];
  for (const [line, piece, scope, occurrence] of CASES) {
    const scopes = scopesAt(grammar, line, piece, occurrence);
    results.push({
      name: `grammar: ${JSON.stringify(piece)} in ${JSON.stringify(line)} is ${scope}`,
      ok: scopes.includes(scope),
      detail: `scopes: ${scopes.join(" ")}`,
    });
  }
  for (const [line, piece, scopePrefix] of NEGATIVE_CASES) {
    const scopes = scopesAt(grammar, line, piece);
    results.push({
      name: `grammar: ${JSON.stringify(piece)} in ${JSON.stringify(line)} is not ${scopePrefix}`,
      ok: !scopes.some((s) => s.startsWith(scopePrefix)),
      detail: `scopes: ${scopes.join(" ")}`,
    });
  }
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const results = await runGrammarChecks();
  for (const r of results) {
    console.log(`${r.ok ? "ok  " : "FAIL"} ${r.name}${r.ok ? "" : `\n     ${r.detail}`}`);
  }
  const failed = results.filter((r) => !r.ok).length;
  console.log(`grammar: ${results.length - failed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}
