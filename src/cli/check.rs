//! `seedls check`: every diagnostic of every seed file under the given paths (or of one
//! document on standard input), reported in a format, and optionally fixed.
//!
//! `--fix` applies the fixes `ide::fix_all` chooses (the editor's quick fixes, safe ones only
//! unless `--unsafe-fixes`) and writes each changed file atomically, keeping its line endings
//! and its byte-order mark; `--diff` shows the same changes as a unified diff and writes
//! nothing. The findings reported are those left after fixing.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::cli::args::{CheckArgs, CheckFormat};
use crate::cli::inputs::{BOM, Input, display_path, read_config, read_paths};
use crate::cli::report::{self, Counts, FileFindings, plural};
use crate::cli::select::Selection;
use crate::cli::write::replace_file;
use crate::codes::FixSafety;
use crate::ide::diagnostics::{Diagnostic, diagnostics};
use crate::ide::fix_all::{applicable_fix, fix_file};
use crate::index::config::Config;
use crate::index::pack::PackEntryRef;
use crate::index::shard::FileStamp;
use crate::index::{FileId, SharedText, Workspace};
use crate::scan;

/// What the run needs from the outside world; tests give their own.
pub struct CheckIo<'a> {
    pub stdin: &'a mut dyn Read,
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    /// Runs before each fixed file replaces the original (tests change the file there).
    pub before_rename: &'a mut dyn FnMut(&Path),
}

/// Runs `seedls check`; returns the exit status (0 no error-level finding, 1 errors, 2 usage
/// or I/O).
/// How many times the fixes go round every file at most (see `run_check`).
const FIX_ROUNDS: usize = 4;

pub fn run_check(args: &CheckArgs, io: CheckIo<'_>) -> i32 {
    let CheckIo { stdin, out, err, before_rename } = io;
    let selection = match usage(args).and_then(|()| Selection::new(&args.select, &args.ignore)) {
        Ok(selection) => selection,
        Err(message) => {
            let _ = writeln!(err, "seedls check: {message}");
            return 2;
        }
    };
    let reading_stdin = args.stdin_filename.is_some() || args.paths.iter().any(|path| path.as_os_str() == "-");
    let mut io_failed = false;
    let (config, inputs) = if reading_stdin {
        read_stdin(args, stdin, err, &mut io_failed)
    } else {
        read_paths(&args.paths, err, &mut io_failed)
    };

    let mut workspace = Workspace::new(config.schema());
    workspace.set_name_rules(config.aliases.clone(), config.ignored_name_pairs.clone());
    let mut files: Vec<(String, FileId, usize)> = Vec::new();
    let mut loaded = Vec::new();
    for (position, input) in inputs.iter().enumerate() {
        let path = input.path.clone().unwrap_or_else(|| PathBuf::from(&input.name));
        match scan::decode_seed(&path, input.bytes.clone()) {
            Ok(text) => loaded.push((position, input.name.clone(), Arc::<str>::from(text))),
            Err(reason) => {
                let _ = writeln!(err, "seedls: {reason}");
                io_failed = true;
            }
        }
    }
    let cache = if args.cache { open_cache(&args.paths, &config, err) } else { None };
    // Many files: the cache's folder is listed once rather than each shard looked for.
    let listing = cache.as_ref().and_then(|cache| cache.listing_for(loaded.len()));
    let sources: Vec<ReadFile<'_>> = {
        loaded
            .par_iter()
            .map(|(position, name, text)| {
                let path = inputs[*position].path.as_deref();
                let stamp = path.and_then(|path| std::fs::metadata(path).ok()).as_ref().and_then(crate::scan::stamp_of);
                match path {
                    Some(path) => (
                        crate::cache::source_file(cache.as_ref(), path, stamp, name.clone(), text.clone()),
                        stamp.map(|stamp| (path, stamp)),
                    ),
                    None => (Arc::new(crate::index::SourceFile::indexed(name.clone(), text.clone())), None),
                }
            })
            .collect()
    };
    drop(listing);
    if let Some(cache) = &cache
        && crate::cli::inputs::paths_or_default(&args.paths).iter().all(|path| path.is_dir())
    {
        store_pack(cache, &config, &sources);
    }
    workspace.insert_files(sources.into_iter().map(|(file, _)| file).collect());
    for (position, name, _) in &loaded {
        if let Some(id) = workspace.file_id(name) {
            files.push((name.clone(), id, *position));
        }
    }
    files.sort();
    let overrides = config.severities.clone();
    let keep = |diagnostic: &Diagnostic| selection.contains(diagnostic.code);

    let fixing = args.fix || args.diff;
    let mut fixed_findings = 0;
    let mut fixed_files = 0;
    let mut stdin_fixed: Option<String> = None;
    // Fixes are applied to every file in rounds until none changes: a near-spelling's fix in
    // one file moves listing counts that decide another file's (a file fixed early could
    // otherwise find a fix only on the next run).
    let originals: Vec<Option<SharedText>> =
        files.iter().map(|(_, id, _)| workspace.file(*id).map(|file| file.text().clone())).collect();
    let mut fixed_by_file: Vec<Vec<Diagnostic>> = vec![Vec::new(); files.len()];
    let mut unsettled = vec![false; files.len()];
    for _round in 0..FIX_ROUNDS {
        let mut changed = false;
        for (index, (_, id, _)) in files.iter().enumerate().filter(|_| fixing) {
            let before = workspace.file(*id).map(|file| file.text().clone());
            let Some(fixed) = fix_file(&mut workspace, *id, &overrides, &keep, args.unsafe_fixes) else {
                continue;
            };
            unsettled[index] = !fixed.converged;
            if before.is_some_and(|before| *before != *fixed.text) {
                changed = true;
                fixed_by_file[index].extend(fixed.fixed);
            }
        }
        if !changed {
            break;
        }
    }
    for (index, (name, id, position)) in files.iter().enumerate().filter(|_| fixing) {
        if unsettled[index] {
            let _ = writeln!(err, "seedls: {name}: fixes still apply after repeated passes; run --fix again");
        }
        let input = &inputs[*position];
        let Some(current) = workspace.file(*id).map(|file| file.text().clone()) else { continue };
        if input.path.is_none() {
            stdin_fixed = Some(current.to_string());
        }
        let Some(before) = originals[index].clone().filter(|before| **before != *current) else {
            continue;
        };
        if args.diff {
            let diff = similar::TextDiff::from_lines(&*before, &*current)
                .unified_diff()
                .context_radius(3)
                .header(&diff_name("a", name), &diff_name("b", name))
                .to_string();
            let _ = write!(out, "{diff}");
        } else if let Some(path) = &input.path {
            let new_bytes = if input.had_bom { format!("{BOM}{current}") } else { current.to_string() };
            if let Err(reason) = replace_file(path, &input.bytes, new_bytes.as_bytes(), before_rename) {
                let _ = writeln!(err, "seedls: {reason}");
                io_failed = true;
                // Report what the file held when read, not fixes that were not written.
                workspace.set_indexed_file(name, before);
                continue;
            }
        }
        fixed_findings += fixed_by_file[index].len();
        fixed_files += 1;
    }

    // Each file's findings on the pool's threads, in the files' order: at 50,000 articles,
    // one thread took 100 s.
    let findings: Vec<FileFindings> = files
        .par_iter()
        .filter_map(|(name, id, _)| {
            let source = workspace.file(*id)?;
            let mut found = diagnostics(&workspace, *id, &overrides);
            found.retain(|diagnostic| keep(diagnostic));
            Some(FileFindings::new(name.clone(), source.text().clone(), found))
        })
        .collect();
    let counts = Counts::of(&findings);

    // With --fix on standard input the fixed text is the output; the findings go to stderr.
    let stdin_fix_output = args.fix && !args.diff && reading_stdin;
    if stdin_fix_output {
        if let Some(text) = &stdin_fixed {
            let had_bom = inputs.first().is_some_and(|input| input.had_bom);
            let _ = write!(out, "{}{text}", if had_bom { BOM } else { "" });
        }
    }
    let report_to: &mut dyn Write = if stdin_fix_output { err } else { out };
    if args.diff {
        if !args.quiet {
            let verb = if fixed_findings == 0 { "nothing to fix" } else { "would fix" };
            let _ = writeln!(
                err,
                "seedls: {verb}{}",
                if fixed_findings == 0 {
                    String::new()
                } else {
                    format!(" {} in {}", plural(fixed_findings, "finding"), plural(fixed_files, "file"))
                }
            );
        }
    } else {
        write_report(args, &findings, counts, files.len(), report_to);
        if args.fix && !args.quiet && args.format == CheckFormat::Text {
            let _ =
                writeln!(report_to, "fixed {} in {}", plural(fixed_findings, "finding"), plural(fixed_files, "file"));
        }
    }

    if io_failed {
        2
    } else if counts.errors > 0 {
        1
    } else {
        0
    }
}

/// A file read, with the path and stamp it was read with when it is on disk.
type ReadFile<'a> = (Arc<crate::index::SourceFile>, Option<(&'a Path, FileStamp)>);

/// The pack of whole folders checked with `--cache`: every file's facts in one file, under
/// the key and stamp a language server's walk gives it (its URI, as the server knows files),
/// so that the editor's first start on these folders is a warm one. Written before any fix:
/// a file fixed afterwards has another stamp and is read again. The mention index goes with
/// it ([`store_mentions`]).
fn store_pack(cache: &crate::cache::FactsCache, config: &crate::index::config::Config, sources: &[ReadFile<'_>]) {
    let mut keyed: Vec<(String, &crate::index::SourceFile, FileStamp)> = sources
        .iter()
        .filter_map(|(file, stamped)| {
            let (path, stamp) = (*stamped)?;
            let key = crate::scan::file_key(&std::path::absolute(path).ok()?)?;
            Some((key, &**file, stamp))
        })
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    let mut entries: Vec<PackEntryRef<'_>> =
        keyed.iter().map(|(key, file, stamp)| PackEntryRef { path: key, ..PackEntryRef::of(file, *stamp) }).collect();
    cache.store_pack(&mut entries);
    store_mentions(cache, config, &keyed);
}

/// The mention index a language server computes at its first start on the folders checked,
/// saved under the fingerprint its workspace will have: its files keyed as its walk keys
/// them and numbered in the order of their keys (`keyed` is sorted), its names under the
/// same rules. Without it the server's first start after `check --cache` found every mention
/// itself (2.2 s at 50,000 articles; 1.0–1.1 s with it). A server whose workspace differs
/// (a document opened before indexing ended, another set of folders) has another
/// fingerprint, and computes its own.
fn store_mentions(
    cache: &crate::cache::FactsCache,
    config: &crate::index::config::Config,
    keyed: &[(String, &crate::index::SourceFile, FileStamp)],
) {
    let mut workspace = Workspace::new(config.schema());
    workspace.set_name_rules(config.aliases.clone(), config.ignored_name_pairs.clone());
    workspace.insert_files(
        keyed
            .iter()
            .map(|(key, file, _)| {
                Arc::new(crate::index::SourceFile::with_facts(key.clone(), file.text().clone(), file.facts.clone()))
            })
            .collect(),
    );
    let fingerprint = workspace.mention_fingerprint();
    workspace.warm_mentions();
    if let Some(entries) = workspace.mention_index_entries() {
        cache.store_mentions(fingerprint, &entries);
    }
}

/// The facts cache of the folders checked (`--cache`), whatever `[cache] enabled` says.
fn open_cache(
    paths: &[PathBuf],
    config: &crate::index::config::Config,
    err: &mut dyn Write,
) -> Option<crate::cache::FactsCache> {
    let roots: Vec<PathBuf> = crate::cli::inputs::paths_or_default(paths)
        .iter()
        .filter_map(|path| if path.is_dir() { Some(path.clone()) } else { path.parent().map(PathBuf::from) })
        .filter_map(|folder| folder.canonicalize().ok())
        .collect();
    let settings = crate::index::shard::CacheSettings { enabled: Some(true), ..config.cache.clone() };
    match crate::cache::FactsCache::open(&roots, &settings) {
        Ok(cache) => cache,
        Err(problem) => {
            let _ = writeln!(err, "seedls: the facts cache cannot be used: {problem}");
            None
        }
    }
}

/// Flag combinations clap does not check.
fn usage(args: &CheckArgs) -> Result<(), String> {
    if args.unsafe_fixes && !args.fix && !args.diff {
        return Err("--unsafe-fixes goes with --fix or --diff".into());
    }
    if args.statistics && matches!(args.format, CheckFormat::Sarif | CheckFormat::Github) {
        return Err("--statistics prints text or JSON; use --format text or --format json".into());
    }
    let stdin = args.stdin_filename.is_some() || args.paths.iter().any(|path| path.as_os_str() == "-");
    if stdin && args.paths.iter().any(|path| path.as_os_str() != "-") {
        return Err("standard input is checked on its own: give no other paths with `-` or --stdin-filename".into());
    }
    Ok(())
}

fn write_report(args: &CheckArgs, findings: &[FileFindings], counts: Counts, file_count: usize, out: &mut dyn Write) {
    let pretty = |value: serde_json::Value| serde_json::to_string_pretty(&value).unwrap_or_else(|_| "[]".into());
    match (args.format, args.statistics) {
        (CheckFormat::Text, true) => {
            report::write_statistics_text(findings, out);
            if !args.quiet {
                let _ = writeln!(out, "{}", counts.summary(file_count));
            }
        }
        (CheckFormat::Json, true) => {
            let _ = writeln!(out, "{}", pretty(report::statistics_json(findings)));
        }
        (CheckFormat::Text, false) => {
            report::write_text(findings, out);
            if !args.quiet {
                // The summary stays the last line (scripts read it); the hint goes before it.
                if let Some(hint) = fixable_hint(findings, args) {
                    let _ = writeln!(out, "{hint}");
                }
                let _ = writeln!(out, "{}", counts.summary(file_count));
            }
        }
        (CheckFormat::Json, false) => {
            let _ = writeln!(out, "{}", pretty(report::json(findings)));
        }
        (CheckFormat::Sarif, _) => {
            let _ = writeln!(out, "{}", pretty(report::sarif(findings)));
        }
        (CheckFormat::Github, _) => report::write_github(findings, out),
    }
}

/// `3 fixable with --fix (2 more with --fix --unsafe-fixes)`, when anything is.
fn fixable_hint(findings: &[FileFindings], args: &CheckArgs) -> Option<String> {
    if args.fix {
        return None;
    }
    let all = findings.iter().flat_map(|file| &file.diagnostics);
    let safe =
        all.clone().filter(|d| d.code.fix_safety() == FixSafety::Safe && applicable_fix(d, false).is_some()).count();
    let unsafe_only =
        all.filter(|d| d.code.fix_safety() == FixSafety::Unsafe && applicable_fix(d, true).is_some()).count();
    match (safe, unsafe_only) {
        (0, 0) => None,
        (safe, 0) => Some(format!("{safe} fixable with --fix")),
        (safe, more) => Some(format!("{safe} fixable with --fix ({more} more with --fix --unsafe-fixes)")),
    }
}

fn read_stdin(
    args: &CheckArgs,
    stdin: &mut dyn Read,
    err: &mut dyn Write,
    io_failed: &mut bool,
) -> (Config, Vec<Input>) {
    let name = args.stdin_filename.clone().unwrap_or_else(|| PathBuf::from("-"));
    let folder = name.parent().filter(|parent| !parent.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let config = read_config(folder, err, io_failed);
    let mut bytes = Vec::new();
    if let Err(error) = stdin.read_to_end(&mut bytes) {
        let _ = writeln!(err, "seedls: standard input: {error}");
        *io_failed = true;
        return (config, Vec::new());
    }
    let had_bom = bytes.starts_with(BOM.as_bytes());
    let relative = name.clone();
    (config, vec![Input { name: display_path(&name), path: None, relative, bytes, had_bom }])
}

/// `a/seeds/x.txt` for a relative path (what `patch -p1` and `git apply` expect); an absolute
/// path as it is.
fn diff_name(side: &str, name: &str) -> String {
    if Path::new(name).is_absolute() { name.to_string() } else { format!("{side}/{name}") }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::args::{Cli, Command};

    fn check_args(args: &[&str]) -> CheckArgs {
        let cli = Cli::try_parse_from(["seedls", "check"].iter().chain(args)).expect("arguments parse");
        match cli.command {
            Some(Command::Check(args)) => args,
            other => panic!("not check: {other:?}"),
        }
    }

    #[test]
    fn a_file_edited_while_being_fixed_is_reported_and_kept() {
        let folder = std::env::temp_dir().join(format!("seedls-check-race-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&folder);
        std::fs::create_dir_all(&folder).unwrap();
        let path = folder.join("a.txt");
        std::fs::write(&path, "= T =\n\n==Aftermath==\n").unwrap();
        let args = check_args(&["--fix", path.to_str().unwrap()]);
        let (mut out, mut err) = (Vec::new(), Vec::new());
        // The editor saves the file between seedls's read and its rename.
        let mut editor_saves = |path: &Path| std::fs::write(path, "= T =\n\nedited\n").unwrap();
        let status = run_check(
            &args,
            CheckIo { stdin: &mut std::io::empty(), out: &mut out, err: &mut err, before_rename: &mut editor_saves },
        );
        let err = String::from_utf8(err).unwrap();
        assert_eq!(status, 2);
        assert!(err.contains("a.txt: changed on disk since it was read; not overwritten"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "= T =\n\nedited\n");
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains("hint[heading-spacing]"), "the unfixed text is reported: {out}");
        assert!(out.contains("fixed 0 findings in 0 files"), "{out}");
    }
}
