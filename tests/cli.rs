//! `seedls check` and friends, run as a newcomer would run them.

use std::path::PathBuf;
use std::process::{Command, Output};

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
    assert!(String::from_utf8_lossy(&output.stdout).contains("seedls check"));
    assert_eq!(output.status.code(), Some(0));
    let output = seedls(&["--version"], None);
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("seedls 0."));
    let output = seedls(&["frobnicate"], None);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown command `frobnicate`"));
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
