//! Where the index's bytes go: builds a `Workspace` from the generated corpus at 10k and 50k
//! articles (or the counts given as arguments) and prints the live heap bytes of each part,
//! counted by an instrumenting global allocator, against the corpus's own bytes, and the
//! process's resident set size.
//!
//! `cargo bench --bench memory -- 10000 50000`
//!
//! The corpus is written to a temporary folder once, and each count is measured in a child
//! process that reads the files from there, as the server does, so that the resident set
//! size it prints is the index's and not the generator's leftovers.
//!
//! Parts are measured as the growth of live bytes while each is built, in this order: the
//! texts (what the server keeps anyway), the per-file facts (parsed in parallel), the
//! workspace's tables (files, paths, entities, the word index), the mention table, the
//! mention index. Temporary allocations freed in between do not count.

#[allow(dead_code, unreachable_pub)]
#[path = "support/corpus.rs"]
mod corpus;

use std::alloc::System;
use std::sync::Arc;
use std::time::Instant;

use seedls::index::{SourceFile, Workspace};
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn live_bytes() -> isize {
    let stats = GLOBAL.stats();
    // A reallocation is already counted in bytes allocated or deallocated (by its growth).
    stats.bytes_allocated as isize - stats.bytes_deallocated as isize
}

/// The resident set size, from `/proc/self/statm` (Linux; 0 elsewhere).
fn rss_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: usize = statm.split_whitespace().nth(1).and_then(|pages| pages.parse().ok()).unwrap_or(0);
    pages * 4096
}

fn mib(bytes: isize) -> String {
    format!("{:8.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// Writes the corpus to a folder (once) and measures in a child process that reads it from
/// there, as the server does: the process's RSS then holds no generator leftovers.
fn measure_in_child(count: usize) {
    let folder = std::env::temp_dir().join(format!("seedls-memory-{count}-v{}", corpus::GENERATOR_VERSION));
    if !folder.join("done").exists() {
        let corpus = corpus::generate(corpus::DEFAULT_SEED, count);
        std::fs::create_dir_all(&folder).expect("a writable temp folder");
        for article in &corpus.articles {
            std::fs::write(folder.join(&article.file_name), &article.text).expect("a writable temp folder");
        }
        std::fs::write(folder.join("done"), "").expect("a writable temp folder");
    }
    let status = std::process::Command::new(std::env::current_exe().expect("the bench binary"))
        .arg("--measure")
        .arg(&folder)
        .status()
        .expect("the bench runs itself");
    assert!(status.success(), "the measuring child failed");
}

fn measure(folder: &std::path::Path) {
    let mut entries: Vec<std::path::PathBuf> = std::fs::read_dir(folder)
        .expect("the corpus folder")
        .map(|entry| entry.expect("an entry").path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "txt"))
        .collect();
    entries.sort();
    let count = entries.len();
    let start = live_bytes();
    let started = Instant::now();
    // As the server indexes: each file read, made an `Arc<str>` and parsed on a worker, its
    // tree dropped once its facts are taken.
    let parsed: Vec<Arc<SourceFile>> = {
        use rayon::prelude::*;
        entries
            .par_iter()
            .map(|path| {
                let text = std::fs::read_to_string(path).expect("UTF-8 text");
                Arc::new(SourceFile::indexed(path.to_string_lossy().into_owned(), Arc::from(text)))
            })
            .collect()
    };
    let corpus_bytes: usize = parsed.iter().map(|file| file.text().len()).sum();
    let after_texts = start + corpus_bytes as isize;
    let after_facts = live_bytes();
    let mut workspace = Workspace::default();
    workspace.insert_files(parsed);
    let after_tables = live_bytes();
    let indexed = started.elapsed();
    let started = Instant::now();
    if let Some((id, _)) = workspace.files().next() {
        workspace.mentions(id);
    }
    let after_matcher = live_bytes();
    let matcher_time = started.elapsed();
    let started = Instant::now();
    workspace.warm_mentions();
    let after_index = live_bytes();
    let index_time = started.elapsed();
    let rss = rss_bytes();

    let index_total = after_index - after_texts;

    println!("## {count} articles, corpus {} ({} bytes)", mib(corpus_bytes as isize), corpus_bytes);
    println!("texts (Arc<str>, kept by the server) {}", mib(corpus_bytes as isize));
    println!("per-file facts (SourceFile)          {}", mib(after_facts - after_texts));
    println!("workspace tables (files, paths, names, entities, words) {}", mib(after_tables - after_facts));
    println!("mention table                        {}", mib(after_matcher - after_tables));
    println!(
        "mention index (name -> file ids)     {} (lists alone: {})",
        mib(after_index - after_matcher),
        mib(workspace.mention_index_bytes() as isize)
    );
    println!(
        "index total {} = {:.2}x the corpus; texts + index = {:.2}x; process RSS {} = {:.2}x",
        mib(index_total),
        index_total as f64 / corpus_bytes as f64,
        (index_total as f64 + corpus_bytes as f64) / corpus_bytes as f64,
        mib(rss as isize),
        rss as f64 / corpus_bytes as f64
    );
    println!(
        "{} files, {} entities; parse+insert {indexed:.2?}, mention table {matcher_time:.2?}, mention index {index_time:.2?}",
        workspace.file_count(),
        workspace.entity_count()
    );
    timings(&workspace);
    println!();
}

/// Writer and query costs on the built workspace: a keystroke in prose and in an infobox
/// name (clone + set_file), then the queries that follow it.
fn timings(workspace: &Workspace) {
    let Some((_, source)) = workspace.files().nth(workspace.file_count() / 2) else { return };
    let path = source.path.clone();
    let text = source.text().to_string();
    let common = workspace.entities().max_by_key(|(_, entity)| entity.listings.len()).map(|(name, _)| name.to_string());
    let mut current = Arc::new(workspace.clone());
    let rounds = 20;
    let mut writer = std::time::Duration::ZERO;
    let mut query = std::time::Duration::ZERO;
    for round in 0..rounds {
        let edited = format!("{text}\nA new sentence {round}.");
        let started = Instant::now();
        let mut next = (*current).clone();
        next.set_file(&path, Arc::from(edited));
        current = Arc::new(next);
        writer += started.elapsed();
        let started = Instant::now();
        current.warm_mentions();
        query += started.elapsed();
    }
    println!(
        "keystroke in prose: writer (clone + set_file) {:.2?}, mention index after it {:.2?} (mean of {rounds})",
        writer / rounds,
        query / rounds
    );
    let infobox_at = text.find("- Commander1: ").map(|at| at + "- Commander1: ".len());
    if let Some(at) = infobox_at {
        let mut writer = std::time::Duration::ZERO;
        let mut query = std::time::Duration::ZERO;
        for round in 0..rounds {
            let mut edited = text.clone();
            edited.insert_str(at, &format!("Zq{round} "));
            let started = Instant::now();
            let mut next = (*current).clone();
            next.set_file(&path, Arc::from(edited));
            current = Arc::new(next);
            writer += started.elapsed();
            let started = Instant::now();
            current.warm_mentions();
            query += started.elapsed();
        }
        println!(
            "keystroke in an infobox name: writer {:.2?}, mention table + mention index after it {:.2?} (mean of {rounds})",
            writer / rounds,
            query / rounds
        );
    }
    if let Some(name) = common {
        let entity = current.entity(&name).expect("listed");
        let listings = entity.listings.len();
        let started = Instant::now();
        let occurrences = current.occurrences(&name);
        let occurrences_time = started.elapsed();
        let listing_ref = current.listings_in_order(entity)[0];
        let mentioning = listing_ref.0;
        let offset = current.listing(listing_ref).map_or(0, |listing| listing.range.start());
        let started = Instant::now();
        let references = seedls::ide::references::find_references(&current, mentioning, offset, true).len();
        let references_time = started.elapsed();
        let started = Instant::now();
        let definitions = seedls::ide::goto_definition::goto_definition(&current, mentioning, offset).len();
        let definition_time = started.elapsed();
        let started = Instant::now();
        let hover = seedls::ide::hover::hover(&current, mentioning, offset).is_some();
        let hover_time = started.elapsed();
        println!(
            "`{name}` ({listings} listings): occurrences {} in {occurrences_time:.2?}; references {references} in {references_time:.2?}; definition {definitions} in {definition_time:.2?}; hover {hover} in {hover_time:.2?}",
            occurrences.len()
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(at) = args.iter().position(|arg| arg == "--measure") {
        measure(std::path::Path::new(&args[at + 1]));
        return;
    }
    let counts: Vec<usize> = args.iter().filter_map(|arg| arg.parse().ok()).collect();
    let counts = if counts.is_empty() { vec![10_000, 50_000] } else { counts };
    for count in counts {
        measure_in_child(count);
    }
}
