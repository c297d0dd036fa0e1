//! `seedls check` and friends, run as a newcomer would run them: the real binary, temp folders.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The benchmark's deterministic article generator, reused for a corpus of messy articles.
#[allow(dead_code, unreachable_pub)]
#[path = "../benches/support/corpus.rs"]
mod corpus;

fn seedls(args: &[&str], dir: Option<&std::path::Path>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_seedls"));
    command.args(args);
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    command.output().expect("seedls runs")
}

fn temp_folder(name: &str) -> PathBuf {
    let folder = std::env::temp_dir().join(format!("seedls-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).expect("temp folder");
    folder
}

#[test]
fn check_seeds_reports_like_rustc_and_exits_zero() {
    let output = seedls(&["check", "seeds"], Some(env!("CARGO_MANIFEST_DIR").as_ref()));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(
        stdout
            .contains("seeds/000_8ceb6be1d3ab28f4.txt:10:15: warning[infobox-empty-value]: `Combatant2` has no value"),
        "{stdout}"
    );
    assert!(stdout.contains("10 | - Combatant2: ,\n   |               ^\n"), "{stdout}");
    assert!(stdout.trim_end().ends_with("checked 5 files: 0 errors, 14 warnings, 7 information, 21 hints"), "{stdout}");
}

#[test]
fn default_path_is_the_seeds_folder() {
    let output = seedls(&["check"], Some(env!("CARGO_MANIFEST_DIR").as_ref()));
    assert!(String::from_utf8_lossy(&output.stdout).contains("checked 5 files"));
}

#[test]
fn json_output_has_one_based_character_columns() {
    let folder = temp_folder("json");
    std::fs::write(
        folder.join("a.txt"),
        "= Čalović =\n\nInfobox\n- Conflict: C\n- Date: 1944\n- Place: P\n- Result: R\n- Combatant1: Čalović, ,\n",
    )
    .unwrap();
    let output = seedls(&["check", "--format", "json", folder.to_str().unwrap()], None);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    let first = &report[0];
    assert_eq!(first["code"], "infobox-empty-item");
    assert_eq!(first["line"], 8);
    // `- Combatant1: Čalović, ` is 23 characters: the second comma is column 24.
    assert_eq!(first["column"], 24);
    assert_eq!(first["end_column"], 25);
    assert_eq!(first["severity"], "warning");
    assert!(first["file"].as_str().unwrap().ends_with("a.txt"));
    assert!(first["message"].as_str().unwrap().contains("empty item"));
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn errors_exit_one_and_bad_files_exit_two_while_the_rest_is_checked() {
    let folder = temp_folder("status");
    std::fs::write(folder.join("a.txt"), "= A =\n\n== Legacy =\nText.\n").unwrap();
    let output = seedls(&["check", folder.to_str().unwrap()], None);
    assert_eq!(output.status.code(), Some(1), "heading-syntax is an error");

    std::fs::write(folder.join("b.txt"), b"= B =\n\n\xff\xfe not UTF-8\n").unwrap();
    let output = seedls(&["check", folder.to_str().unwrap()], None);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("b.txt: not UTF-8"), "{stderr}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("heading-syntax"), "a.txt is still checked");
    assert_eq!(output.status.code(), Some(2));

    let output = seedls(&["check", "/no/such/folder"], None);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn usage_help_and_version() {
    let output = seedls(&["--help"], None);
    assert!(String::from_utf8_lossy(&output.stdout).contains("Usage: seedls [COMMAND]"));
    assert!(String::from_utf8_lossy(&output.stdout).contains("  check "));
    assert_eq!(output.status.code(), Some(0));
    let output = seedls(&["--version"], None);
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("seedls 0."));
    assert_eq!(String::from_utf8_lossy(&output.stdout), format!("seedls {}\n", env!("CARGO_PKG_VERSION")));
    let output = seedls(&["frobnicate"], None);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unrecognized subcommand 'frobnicate'"));
    let output = seedls(&["check", "--format", "xml"], None);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn seedls_toml_turns_codes_off() {
    let folder = temp_folder("config");
    std::fs::write(folder.join("a.txt"), "Bare title\n\nText [citation needed].\n").unwrap();
    std::fs::write(folder.join("seedls.toml"), "[diagnostics]\ntitle-missing = \"off\"\ncitation-needed = \"error\"\n")
        .unwrap();
    let output = seedls(&["check", folder.to_str().unwrap()], None);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!stdout.contains("title-missing"), "{stdout}");
    assert!(stdout.contains("error[citation-needed]"), "{stdout}");
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn snippets_show_the_right_line_whatever_the_line_endings() {
    let folder = temp_folder("line-endings");
    // The same seed three times over: the snippet under `5 |` is the misspelt key's line, and
    // the caret sits under the key, for CR-only, CRLF and LF files alike.
    let seed = ["= T =", "", "Infobox", "- Conflict: Čalović", "- Comander2: Y", ""];
    for (name, ending) in [("cr.txt", "\r"), ("crlf.txt", "\r\n"), ("lf.txt", "\n")] {
        std::fs::write(folder.join(name), seed.join(ending)).unwrap();
        let output = seedls(&["check", name], Some(&folder));
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains(&format!("{name}:5:3: warning[infobox-unknown-key]")), "{name}: {stdout}");
        assert!(stdout.contains("5 | - Comander2: Y\n  |   ^^^^^^^^^\n"), "{name}: {stdout}");
        assert!(!stdout.contains('\r'), "{name}: no carriage return in the report: {stdout:?}");
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn seedls_with_stdin(args: &[&str], dir: Option<&Path>, input: &[u8]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_seedls"));
    command.args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let mut child = command.spawn().expect("seedls runs");
    child.stdin.take().expect("stdin").write_all(input).expect("write stdin");
    child.wait_with_output().expect("seedls ends")
}

/// A copy of the seeds in a temp folder: fixes are never tried on the repository's own.
fn seeds_copy(name: &str) -> PathBuf {
    let folder = temp_folder(name);
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    for entry in std::fs::read_dir(seeds).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, folder.join(path.file_name().unwrap())).unwrap();
    }
    folder
}

fn snapshot(folder: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .map(|path| {
            let bytes = std::fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect();
    files.sort();
    files
}

const MESSY: &str = "= T =\n\nInfobox\n- Conflict: C\n- Date: 1944\n- Place: P\n- Result: R\n- Combatant1: A, <hr />, B\n\n==Aftermath==\nText [citation needed].\n";

#[test]
fn every_subcommand_has_help() {
    for args in [&["--help"][..], &["check", "--help"], &["codes", "--help"], &["export", "--help"], &["help", "check"]]
    {
        let output = seedls(args, None);
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        assert!(stdout(&output).contains("Usage: seedls"), "{args:?}: {}", stdout(&output));
    }
    let check_help = stdout(&seedls(&["check", "--help"], None));
    for flag in [
        "--fix",
        "--unsafe-fixes",
        "--diff",
        "--select",
        "--ignore",
        "--statistics",
        "--quiet",
        "--stdin-filename",
        "sarif",
        "github",
        "Exit status",
    ] {
        assert!(check_help.contains(flag), "check --help mentions {flag}");
    }
}

#[test]
fn a_misspelled_flag_gets_a_suggestion_and_exit_two() {
    let output = seedls(&["check", "--statistic"], None);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("a similar argument exists: '--statistics'"), "{}", stderr(&output));
    let output = seedls(&["check", "--format", "xml"], None);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("possible values: text, json, sarif, github"), "{}", stderr(&output));
    let output = seedls(&["check", "--unsafe-fixes"], None);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--unsafe-fixes goes with --fix or --diff"));
}

#[test]
fn select_and_ignore_take_codes_and_prefixes() {
    let root = Some(Path::new(env!("CARGO_MANIFEST_DIR")));
    let codes_in = |output: &Output| -> Vec<String> {
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        let mut codes: Vec<String> =
            report.as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap().to_string()).collect();
        codes.sort();
        codes.dedup();
        codes
    };
    let output = seedls(&["check", "--format", "json", "--select", "infobox-,heading-spacing", "seeds"], root);
    let codes = codes_in(&output);
    assert!(codes.iter().all(|c| c.starts_with("infobox-") || c == "heading-spacing"), "{codes:?}");
    assert!(codes.contains(&"heading-spacing".to_string()) && codes.contains(&"infobox-markup".to_string()));

    let output =
        seedls(&["check", "--format", "json", "--ignore", "infobox", "--ignore=stray-citation", "seeds"], root);
    let codes = codes_in(&output);
    assert!(!codes.iter().any(|c| c.starts_with("infobox-") || c == "stray-citation"), "{codes:?}");
    assert!(codes.contains(&"dangling-text".to_string()));

    let output = seedls(&["check", "--ignore", "infobx-", "seeds"], root);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stderr(&output), "seedls check: unknown code or prefix `infobx-`: did you mean `infobox-`?\n");
}

#[test]
fn statistics_count_per_code_and_quiet_drops_the_summary() {
    let root = Some(Path::new(env!("CARGO_MANIFEST_DIR")));
    let output = seedls(&["check", "--statistics", "seeds"], root);
    let text = stdout(&output);
    assert!(text.contains("     8  stray-citation        [unsafe fix]\n"), "{text}");
    assert!(text.contains("     5  dangling-text\n"), "{text}");
    assert!(text.trim_end().ends_with("checked 5 files: 0 errors, 14 warnings, 7 information, 21 hints"));
    let stats: serde_json::Value =
        serde_json::from_slice(&seedls(&["check", "--statistics", "--format", "json", "seeds"], root).stdout).unwrap();
    let total: u64 = stats.as_array().unwrap().iter().map(|s| s["count"].as_u64().unwrap()).sum();
    assert_eq!(total, 14 + 7 + 21);
    assert_eq!(stats[0], serde_json::json!({ "code": "stray-citation", "count": 8, "fix": "unsafe" }));

    let output = seedls(&["check", "--quiet", "seeds"], root);
    let text = stdout(&output);
    assert!(text.contains("warning[infobox-empty-value]"));
    assert!(!text.contains("checked 5 files") && !text.contains("fixable"), "{text}");
    let output = seedls(&["check", "seeds"], root);
    assert!(
        stdout(&output).contains("\n12 fixable with --fix (16 more with --fix --unsafe-fixes)\nchecked 5 files"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn sarif_has_the_2_1_0_shape_with_rules_regions_and_fixes() {
    let folder = temp_folder("sarif");
    // `😀` is two UTF-16 code units: the marker after it starts at UTF-16 column 12 (1-based).
    std::fs::write(folder.join("a.txt"), "= T =\n\nSome 😀 text [12] here.\n\n==Aftermath==\n").unwrap();
    let output = seedls(&["check", "--format", "sarif", "a.txt"], Some(&folder));
    let log: serde_json::Value = serde_json::from_slice(&output.stdout).expect("SARIF is JSON");
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["$schema"], "https://json.schemastore.org/sarif-2.1.0.json");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "seedls");
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.len() >= 25, "every code is a rule");
    assert!(rules.iter().any(|rule| rule["id"] == "config-error" && rule.get("properties").is_none()));
    assert!(rules.iter().any(|rule| rule["id"] == "heading-spacing" && rule["properties"]["fix"] == "safe"));
    let results = run["results"].as_array().unwrap();
    let stray = results.iter().find(|r| r["ruleId"] == "stray-citation").expect("stray-citation result");
    assert_eq!(stray["level"], "note");
    assert_eq!(rules[stray["ruleIndex"].as_u64().unwrap() as usize]["id"], "stray-citation");
    let location = &stray["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "a.txt");
    assert_eq!(
        location["region"],
        serde_json::json!({ "startLine": 3, "startColumn": 14, "endLine": 3, "endColumn": 18 })
    );
    let heading = results.iter().find(|r| r["ruleId"] == "heading-spacing").expect("heading-spacing result");
    let change = &heading["fixes"][0]["artifactChanges"][0];
    assert_eq!(change["artifactLocation"]["uri"], "a.txt");
    assert_eq!(change["replacements"][0]["insertedContent"]["text"], "== Aftermath ==");
    assert_eq!(
        change["replacements"][0]["deletedRegion"],
        serde_json::json!({ "startLine": 5, "startColumn": 1, "endLine": 5, "endColumn": 14 })
    );
    assert_eq!(heading["fixes"][0]["description"]["text"], "Change to `== Aftermath ==`");
}

#[test]
fn github_annotations_map_levels_and_escape() {
    let folder = temp_folder("github");
    std::fs::write(folder.join("a,b.txt"), "= T =\n\n== Legacy =\nText [citation needed].\n").unwrap();
    let output = seedls(&["check", "--format", "github", "a,b.txt"], Some(&folder));
    let lines: Vec<String> = stdout(&output).lines().map(str::to_string).collect();
    assert_eq!(
        lines[0],
        "::error file=a%2Cb.txt,line=3,col=1,endLine=3,endColumn=12,title=heading-syntax::unbalanced heading: `==` opens it but `=` closes it; write `== Legacy ==`"
    );
    assert!(
        lines[1].starts_with("::warning file=a%2Cb.txt,line=4,col=6,endLine=4,endColumn=23,title=citation-needed::")
    );
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(output.status.code(), Some(1));
    let output = seedls(
        &["check", "--format", "github", "--select", "heading-spacing", "seeds"],
        Some(Path::new(env!("CARGO_MANIFEST_DIR"))),
    );
    assert!(stdout(&output).starts_with("::notice file=seeds/000_8ceb6be1d3ab28f4.txt,line="), "{}", stdout(&output));
}

#[test]
fn one_document_from_standard_input() {
    let folder = temp_folder("stdin");
    let output =
        seedls_with_stdin(&["check", "--stdin-filename", "drafts/a.txt", "-"], Some(&folder), MESSY.as_bytes());
    let text = stdout(&output);
    assert!(text.contains("drafts/a.txt:8:18: warning[infobox-markup]"), "{text}");
    assert!(text.contains("checked 1 file: 0 errors"), "{text}");
    let output = seedls_with_stdin(
        &["check", "--format", "json", "--stdin-filename", "b.seed"],
        Some(&folder),
        MESSY.as_bytes(),
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report[0]["file"], "b.seed");

    // With --fix the fixed document is the output (a byte-order mark kept), findings on stderr.
    let input = format!("\u{feff}{MESSY}");
    let output = seedls_with_stdin(&["check", "--fix", "--stdin-filename", "a.txt"], Some(&folder), input.as_bytes());
    let fixed = stdout(&output);
    assert!(fixed.starts_with("\u{feff}= T =\n"), "{fixed:?}");
    assert!(fixed.contains("- Combatant1: A, B\n\n== Aftermath ==\n"), "{fixed}");
    assert!(stderr(&output).contains("warning[citation-needed]"), "{}", stderr(&output));
    assert!(stderr(&output).contains("fixed 3 findings in 1 file"), "{}", stderr(&output));
    assert_eq!(output.status.code(), Some(0));

    let output = seedls_with_stdin(&["check", "--stdin-filename", "a.txt", "other.txt"], Some(&folder), b"");
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn diff_shows_the_fixes_and_writes_nothing() {
    let folder = seeds_copy("diff");
    let before = snapshot(&folder);
    let output = seedls(&["check", "--diff", "."], Some(&folder));
    let diff = stdout(&output);
    assert!(diff.contains("--- a/000_8ceb6be1d3ab28f4.txt\n+++ b/000_8ceb6be1d3ab28f4.txt\n"), "{diff}");
    assert!(diff.contains("\n-==Aftermath==\n+== Aftermath ==\n"), "{diff}");
    assert!(diff.contains("\n-- Combatant1: LANÇ<hr />, , Bulgaria,\n"), "{diff}");
    assert!(diff.contains("\n+- Combatant1: LANÇ, Bulgaria\n"), "{diff}");
    assert!(!diff.contains("= Belgrade offensive ="), "title marking is an unsafe fix");
    assert_eq!(stderr(&output), "seedls: would fix 12 findings in 4 files\n");
    let unsafe_diff = stdout(&seedls(&["check", "--diff", "--unsafe-fixes", "."], Some(&folder)));
    assert!(unsafe_diff.contains("+= Belgrade offensive ="), "{unsafe_diff}");
    assert_eq!(snapshot(&folder), before, "--diff writes nothing");
}

#[test]
fn fix_then_a_second_run_finds_nothing_to_fix() {
    for (name, extra) in [("fix-safe", None), ("fix-unsafe", Some("--unsafe-fixes"))] {
        let folder = seeds_copy(name);
        let mut args = vec!["check", "--fix", "."];
        args.extend(extra);
        let output = seedls(&args, Some(&folder));
        assert!(stdout(&output).contains("fixed "), "{}", stdout(&output));
        let after_first = snapshot(&folder);
        let mut args = vec!["check", "--diff", "."];
        args.extend(extra);
        let output = seedls(&args, Some(&folder));
        assert_eq!(stdout(&output), "", "{name}: nothing left to fix");
        assert_eq!(stderr(&output), "seedls: nothing to fix\n");
        let mut args = vec!["check", "--fix", "."];
        args.extend(extra);
        assert!(stdout(&seedls(&args, Some(&folder))).contains("fixed 0 findings in 0 files"));
        assert_eq!(snapshot(&folder), after_first);
        let names: Vec<String> =
            after_first.iter().map(|(path, _)| path.file_name().unwrap().to_string_lossy().into_owned()).collect();
        assert!(names.iter().all(|name| name.ends_with(".txt")), "no temporary file is left: {names:?}");
    }
}

#[test]
fn fix_is_idempotent_on_a_generated_corpus() {
    let folder = temp_folder("corpus");
    let corpus = corpus::generate(0x5EED_C0DE, 300);
    for article in &corpus.articles {
        std::fs::write(folder.join(&article.file_name), &article.text).unwrap();
    }
    let output = seedls(&["check", "--fix", "--unsafe-fixes", "--quiet", "."], Some(&folder));
    assert_ne!(output.status.code(), Some(2), "{}", stderr(&output));
    let output = seedls(&["check", "--diff", "--unsafe-fixes", "."], Some(&folder));
    assert_eq!(stdout(&output), "", "a second run finds nothing to fix");
    assert_eq!(stderr(&output), "seedls: nothing to fix\n");
}

#[test]
fn fix_keeps_crlf_and_the_byte_order_mark() {
    let folder = temp_folder("crlf-bom");
    let text = format!("\u{feff}{}", MESSY.replace('\n', "\r\n"));
    std::fs::write(folder.join("a.txt"), &text).unwrap();
    let output = seedls(&["check", "--fix", "a.txt"], Some(&folder));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let fixed = std::fs::read_to_string(folder.join("a.txt")).unwrap();
    assert!(fixed.starts_with("\u{feff}= T =\r\n"), "{fixed:?}");
    assert!(fixed.contains("- Combatant1: A, B\r\n\r\n== Aftermath ==\r\n"), "{fixed:?}");
    assert_eq!(fixed.matches('\n').count(), fixed.matches("\r\n").count(), "no bare LF: {fixed:?}");
}

fn code_point_slice(text: &str, start: u64, end: u64) -> String {
    text.chars().skip(start as usize).take((end - start) as usize).collect()
}

fn seed_text(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    std::fs::read_to_string(path).unwrap().trim_start_matches('\u{feff}').to_string()
}

/// The kind an id starts with (`person:…` → Person).
fn kind_of_id(id: &str) -> seedls::index::EntityKind {
    let prefix = id.split(':').next().unwrap();
    *seedls::index::EntityKind::ALL.iter().find(|kind| kind.label().to_lowercase() == prefix).expect("a kind")
}

#[test]
fn export_jsonl_spans_slice_to_their_entities_by_code_points() {
    let output = seedls(&["export", "--format", "jsonl", "seeds"], Some(Path::new(env!("CARGO_MANIFEST_DIR"))));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let lines: Vec<serde_json::Value> =
        stdout(&output).lines().map(|line| serde_json::from_str(line).expect("each line is JSON")).collect();
    assert_eq!(lines.len(), 5);
    let mut spans = 0;
    let mut non_ascii = 0;
    for line in &lines {
        let text = line["text"].as_str().unwrap();
        assert_eq!(text, seed_text(line["meta"]["file"].as_str().unwrap()));
        assert!(line["meta"]["title"].is_string());
        for span in line["spans"].as_array().unwrap() {
            let (start, end) = (span["start"].as_u64().unwrap(), span["end"].as_u64().unwrap());
            let covered = code_point_slice(text, start, end);
            let kb_id = span["kb_id"].as_str().unwrap();
            // The span is the entity's name: its id is the id of the text it covers.
            assert_eq!(seedls::ide::entity_id::entity_id(kind_of_id(kb_id), &covered), kb_id, "{covered:?}");
            assert!(
                ["Article", "Person", "Belligerent", "Unit", "Place", "Conflict"]
                    .contains(&span["label"].as_str().unwrap())
            );
            spans += 1;
            non_ascii += usize::from(text.chars().take(start as usize).any(|c| !c.is_ascii()));
        }
    }
    assert!(spans > 100, "{spans} spans");
    assert!(non_ascii > 10, "spans after non-ASCII text are checked: {non_ascii}");
}

#[test]
fn export_w3c_selectors_quote_the_text() {
    let output = seedls(&["export", "--format", "w3c", "seeds"], Some(Path::new(env!("CARGO_MANIFEST_DIR"))));
    let collections: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let collections = collections.as_array().unwrap();
    assert_eq!(collections.len(), 5);
    for collection in collections {
        assert_eq!(collection["@context"], "http://www.w3.org/ns/anno.jsonld");
        assert_eq!(collection["type"], "AnnotationCollection");
        let items = collection["first"]["items"].as_array().unwrap();
        assert_eq!(collection["total"], items.len());
        for item in items {
            assert_eq!(item["type"], "Annotation");
            let source = item["target"]["source"].as_str().unwrap();
            let text = seed_text(&format!("seeds/{source}"));
            let quote = &item["target"]["selector"][0];
            let position = &item["target"]["selector"][1];
            assert_eq!(quote["type"], "TextQuoteSelector");
            assert_eq!(position["type"], "TextPositionSelector");
            let (start, end) = (position["start"].as_u64().unwrap(), position["end"].as_u64().unwrap());
            assert_eq!(quote["exact"].as_str().unwrap(), code_point_slice(&text, start, end));
            assert_eq!(quote["prefix"].as_str().unwrap(), code_point_slice(&text, start.saturating_sub(32), start));
            let suffix = quote["suffix"].as_str().unwrap();
            assert!(suffix.chars().count() <= 32 && code_point_slice(&text, end, end + 32) == suffix);
            let body = &item["body"];
            assert_eq!(body["id"], format!("urn:seedls:{}", body["entity"].as_str().unwrap()));
            assert!(body["kind"].is_string() && body["name"].is_string());
        }
    }
}

#[test]
fn export_brat_writes_ann_files_that_read_back() {
    let root = Some(Path::new(env!("CARGO_MANIFEST_DIR")));
    let output = seedls(&["export", "--format", "brat", "seeds"], root);
    assert_eq!(output.status.code(), Some(2), "brat needs --out");
    assert!(stderr(&output).contains("give --out DIR"));

    let folder = temp_folder("brat");
    let output = seedls(&["export", "--format", "brat", "--out", folder.to_str().unwrap(), "seeds"], root);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains(" of 5 articles to "), "{}", stderr(&output));
    let mut annotations = 0;
    for entry in std::fs::read_dir(&folder).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|ext| ext != "ann") {
            continue;
        }
        let text = std::fs::read_to_string(path.with_extension("txt")).expect("the .txt beside the .ann");
        let ann = std::fs::read_to_string(&path).unwrap();
        let mut bound = std::collections::HashMap::new();
        for line in ann.lines() {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 3, "{line}");
            if let Some(number) = fields[0].strip_prefix('T') {
                let parts: Vec<&str> = fields[1].split(' ').collect();
                let (start, end): (u64, u64) = (parts[1].parse().unwrap(), parts[2].parse().unwrap());
                assert_eq!(code_point_slice(&text, start, end), fields[2], "{line}");
                bound.insert(number.to_string(), parts[0].to_string());
                annotations += 1;
            } else {
                let number = fields[0].strip_prefix('N').expect("T or N lines only");
                let reference: Vec<&str> = fields[1].split(' ').collect();
                assert_eq!(reference[0], "Reference");
                assert_eq!(reference[1], format!("T{number}"));
                let id = reference[2].strip_prefix("seedls:").expect("seedls: ids");
                assert_eq!(seedls::ide::entity_id::entity_id(kind_of_id(id), fields[2]), id);
                assert!(bound.contains_key(number));
            }
        }
    }
    assert!(annotations > 100, "{annotations}");
}

#[test]
fn check_cache_fills_the_facts_cache_and_reports_the_same() {
    let folder = seeds_copy("cache");
    std::fs::write(folder.join("seedls.toml"), "[cache]\ndir = \".facts\"\n").unwrap();
    let first = seedls(&["check", "--cache", "."], Some(&folder));
    let shards: Vec<PathBuf> = std::fs::read_dir(folder.join(".facts"))
        .expect("the cache folder under [cache] dir")
        .flatten()
        .flat_map(|workspace| std::fs::read_dir(workspace.path()).into_iter().flatten().flatten())
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "shard"))
        .collect();
    assert_eq!(shards.len(), 5, "one shard per seed: {shards:?}");
    // From the cache, the same findings.
    let second = seedls(&["check", "--cache", "."], Some(&folder));
    assert_eq!(stdout(&first), stdout(&second));
    assert_eq!(first.status.code(), second.status.code());
    let _ = std::fs::remove_dir_all(&folder);
}
