//! Where the index's bytes go: builds a `Workspace` from the generated corpus at 10k and 50k
//! articles (or the counts given as arguments) and prints the live heap bytes of each part,
//! counted by an instrumenting global allocator, against the corpus's own bytes, and the
//! process's resident set size.
//!
//! `cargo bench --bench memory -- 10000 50000`
//!
//! Parts are measured as the growth of live bytes while each is built, in this order: the
//! texts (what the server keeps anyway), the per-file facts (parsed in parallel), the
//! workspace's tables (files, paths, entities, the word index), the mention automaton, the
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

fn measure(count: usize) {
    let corpus = corpus::generate(corpus::DEFAULT_SEED, count);
    let files: Vec<(String, String)> =
        corpus.articles.into_iter().map(|article| (format!("/corpus/{}", article.file_name), article.text)).collect();
    let corpus_bytes: usize = files.iter().map(|(_, text)| text.len()).sum();
    let start = live_bytes();
    let texts: Vec<(String, Arc<str>)> = files.into_iter().map(|(path, text)| (path, Arc::from(text))).collect();
    let after_texts = live_bytes();

    let started = Instant::now();
    let parsed: Vec<Arc<SourceFile>> = {
        use rayon::prelude::*;
        texts.par_iter().map(|(path, text)| Arc::new(SourceFile::indexed(path.clone(), text.clone()))).collect()
    };
    let after_facts = live_bytes();
    let (mut listings, mut parents, mut links, mut keys) = (0usize, 0usize, 0usize, 0usize);
    for file in &parsed {
        listings += file.facts.listings.len();
        parents += file.facts.listings.iter().map(|listing| listing.parents.len()).sum::<usize>();
        keys += file.facts.listings.iter().map(|listing| listing.key.len()).sum::<usize>();
        links += file.facts.see_also.len();
    }
    println!("facts: {listings} listings ({parents} parent names, {keys} key bytes), {links} See-also links");
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
    drop(texts);
    let rss = rss_bytes();

    let index_total = after_index - after_texts;
    let _ = start;
    println!("## {count} articles, corpus {} ({} bytes)", mib(corpus_bytes as isize), corpus_bytes);
    println!("texts (Arc<str>, kept by the server) {}", mib(corpus_bytes as isize));
    println!("per-file facts (SourceFile)          {}", mib(after_facts - after_texts));
    println!("workspace tables (files, paths, names, entities, words) {}", mib(after_tables - after_facts));
    println!("mention automaton                    {}", mib(after_matcher - after_tables));
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
        "{} files, {} entities; parse+insert {indexed:.2?}, automaton {matcher_time:.2?}, mention index {index_time:.2?}",
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
    let text = source.text.to_string();
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
            "keystroke in an infobox name: writer {:.2?}, automaton + mention index after it {:.2?} (mean of {rounds})",
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
    let counts: Vec<usize> = std::env::args().skip(1).filter_map(|arg| arg.parse().ok()).collect();
    let counts = if counts.is_empty() { vec![10_000, 50_000] } else { counts };
    for count in counts {
        measure(count);
    }
}
