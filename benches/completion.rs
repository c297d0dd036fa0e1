//! Completion in process (`ide::completion::completions`) on the generated corpus, at the
//! places the end-to-end benchmark asks for it: names the generator wrote into one open
//! article, with 1–4 characters of the name typed. Prints p50/p90/p99/max per typed length
//! and overall, and the slowest places, so that the end-to-end "completion" row
//! (docs/PERFORMANCE.md, target p99 ≤ 5 ms) can be reproduced and profiled without a server.
//!
//!     cargo bench --bench completion                    # 10,000 articles
//!     cargo bench --bench completion -- 10000 50000     # each count in turn
//!     SEEDLS_BENCH_ROUNDS=20 cargo bench --bench completion -- 50000
//!     SEEDLS_BENCH_TYPO_ROUNDS=50 ...                     # the typos (below) more often
//!
//! Two sets of places, each asked `SEEDLS_BENCH_ROUNDS` times (5):
//!
//! - `e2e`: exactly `lsp_e2e`'s 200 completion requests (`point_requests`: every 7th name,
//!   cycling, `1 + i % 4` characters typed) in the article it opens (`pick_article`);
//! - `all`: every name written into that article, at 1, 2, 3 and 4 characters typed.
//!
//! The corpus is generated in memory (the same generator and seed as `lsp_e2e`) and indexed
//! as the server indexes it; the article is then set as an open file (its tree kept), as
//! `didOpen` does. Times are wall-clock per call on one thread; the machine may be shared,
//! so the load average is printed beside them.

#[allow(dead_code, unreachable_pub)]
#[path = "support/corpus.rs"]
mod corpus;

use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use seedls::ide::completion::completions;
use seedls::index::{FileId, SourceFile, Workspace};

use corpus::{Article, Corpus, NameKind};

const DEFAULT_ARTICLES: usize = 10_000;
/// `lsp_e2e`'s `POINT_REQUESTS`.
const POINT_REQUESTS: usize = 200;

fn main() {
    // `cargo bench` passes `--bench`; numbers are article counts.
    let mut counts: Vec<usize> = std::env::args().skip(1).filter_map(|arg| arg.parse().ok()).collect();
    if counts.is_empty() {
        counts.push(DEFAULT_ARTICLES);
    }
    let rounds = std::env::var("SEEDLS_BENCH_ROUNDS").ok().and_then(|value| value.parse().ok()).unwrap_or(5).max(1);
    for count in counts {
        measure(count, rounds);
    }
}

/// One place completion is asked at: the offset, the text typed before it, and where it is.
struct Place {
    offset: usize,
    typed: String,
    typed_chars: usize,
    in_infobox: bool,
}

fn measure(count: usize, rounds: usize) {
    let started = Instant::now();
    let corpus = corpus::generate(corpus::DEFAULT_SEED, count);
    let (index, article) = pick_article(&corpus);
    // As the server indexes: parsed in parallel, then inserted (timed apart: the name table's
    // indexes are built there).
    let parsed: Vec<Arc<SourceFile>> = corpus
        .articles
        .par_iter()
        .map(|article| {
            let path = format!("/corpus/{}", article.file_name);
            Arc::new(SourceFile::indexed(path, Arc::from(article.text.as_str())))
        })
        .collect();
    let parsed_in = started.elapsed();
    // The fastest of three: the machine is shared.
    let mut inserted_in = Duration::MAX;
    let mut workspace = Workspace::default();
    for _ in 0..3 {
        let started = Instant::now();
        workspace = Workspace::default();
        workspace.insert_files(parsed.clone());
        inserted_in = inserted_in.min(started.elapsed());
    }
    let file = workspace.set_file(&format!("/corpus/{}", article.file_name), Arc::from(article.text.as_str()));
    println!(
        "## {count} articles ({} names): generated and parsed in {:.1} s, inserted in {:.2} s (the fastest of 3); \
         article {index} ({}, {} bytes, {} names written)",
        workspace.entity_count(),
        parsed_in.as_secs_f64(),
        inserted_in.as_secs_f64(),
        article.file_name,
        article.text.len(),
        article.names.len()
    );
    println!("load average: {}", load_average());

    let e2e = e2e_places(article);
    let all = all_places(article);
    for (what, places) in [("e2e", &e2e), ("all", &all)] {
        // One call per place first, untimed: the first touches pay for page faults.
        for place in places.iter() {
            std::hint::black_box(completions(&workspace, file, place.offset));
        }
        let mut samples: Vec<(Duration, usize)> = Vec::new();
        for _ in 0..rounds {
            for (at, place) in places.iter().enumerate() {
                let started = Instant::now();
                let answer = completions(&workspace, file, place.offset);
                samples.push((started.elapsed(), at));
                std::hint::black_box(answer);
            }
        }
        println!("{what}: {} places × {rounds} rounds", places.len());
        print_row("  all", samples.iter().map(|(time, _)| *time).collect());
        for typed_chars in 1..=4 {
            let times = samples
                .iter()
                .filter(|(_, at)| places[*at].typed_chars == typed_chars)
                .map(|(time, _)| *time)
                .collect();
            print_row(&format!("  {typed_chars} typed"), times);
        }
        for (label, in_infobox) in [("  infobox", true), ("  prose", false)] {
            let times =
                samples.iter().filter(|(_, at)| places[*at].in_infobox == in_infobox).map(|(time, _)| *time).collect();
            print_row(label, times);
        }
        print_slowest(&workspace, file, places, &samples);
    }
    let typo_rounds = std::env::var("SEEDLS_BENCH_TYPO_ROUNDS").ok().and_then(|value| value.parse().ok());
    typos(&mut workspace, article, typo_rounds.unwrap_or(rounds).max(1));
    println!();
}

/// A typo (no word of any name starts like it) is scored fuzzily against every name: the
/// first 2–4 letters of the article's names with their first two letters swapped, typed in
/// prose of another open file. Not among `lsp_e2e`'s requests; printed for comparison.
fn typos(workspace: &mut Workspace, article: &Article, rounds: usize) {
    let mut typed: Vec<String> = article
        .names
        .iter()
        .enumerate()
        .filter_map(|(index, name)| {
            let mut chars: Vec<char> = article.text[name.start..name.end].chars().take(2 + index % 3).collect();
            chars.swap(0, 1);
            let typo: String = chars.into_iter().collect();
            let is_typo =
                typo.chars().all(char::is_alphabetic) && workspace.names_with_word_starting(&typo).next().is_none();
            is_typo.then_some(typo)
        })
        .collect();
    typed.sort();
    typed.dedup();
    typed.truncate(20);
    let mut times = Vec::new();
    for typo in &typed {
        let text = format!("= Typing =\n\nThen {typo}");
        let file = workspace.set_file("/typing.txt", Arc::from(text.as_str()));
        for _ in 0..rounds {
            let started = Instant::now();
            std::hint::black_box(completions(workspace, file, text.len()));
            times.push(started.elapsed());
        }
    }
    println!("typos in prose: {} ({})", typed.len(), typed.iter().take(5).cloned().collect::<Vec<_>>().join(", "));
    print_row("  typo", times);
}

/// `lsp_e2e`'s completion requests: every 7th name, cycling, `1 + i % 4` characters in.
fn e2e_places(article: &Article) -> Vec<Place> {
    (0..POINT_REQUESTS)
        .map(|i| {
            let name = &article.names[(i * 7) % article.names.len()];
            let length = article.text[name.start..name.end].chars().count();
            place(article, name, (1 + i % 4) % (length + 1))
        })
        .collect()
}

fn all_places(article: &Article) -> Vec<Place> {
    article.names.iter().flat_map(|name| (1..=4).map(move |chars| place(article, name, chars))).collect()
}

fn place(article: &Article, name: &corpus::WrittenName, chars: usize) -> Place {
    let text = &article.text;
    let offset = text[name.start..name.end].char_indices().nth(chars).map_or(name.end, |(at, _)| name.start + at);
    let typed = &text[name.start..offset];
    Place { offset, typed: typed.to_string(), typed_chars: typed.chars().count(), in_infobox: name.in_infobox }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn print_row(label: &str, mut times: Vec<Duration>) {
    if times.is_empty() {
        return;
    }
    times.sort();
    let ms = |duration: Duration| duration.as_secs_f64() * 1e3;
    println!(
        "{label:<12} n={:>5}  p50 {:7.3} ms  p90 {:7.3} ms  p99 {:7.3} ms  max {:7.3} ms",
        times.len(),
        ms(percentile(&times, 0.50)),
        ms(percentile(&times, 0.90)),
        ms(percentile(&times, 0.99)),
        ms(percentile(&times, 1.0)),
    );
}

/// The five places with the slowest median: what the p99 is made of.
fn print_slowest(workspace: &Workspace, file: FileId, places: &[Place], samples: &[(Duration, usize)]) {
    let mut by_place: Vec<Vec<Duration>> = vec![Vec::new(); places.len()];
    for &(time, at) in samples {
        by_place[at].push(time);
    }
    let mut medians: Vec<(Duration, usize)> = by_place
        .iter_mut()
        .enumerate()
        .map(|(at, times)| {
            times.sort();
            (times[times.len() / 2], at)
        })
        .collect();
    medians.sort_by(|a, b| b.cmp(a));
    medians.dedup_by_key(|(_, at)| (places[*at].typed.clone(), places[*at].in_infobox));
    for &(median, at) in medians.iter().take(5) {
        let place = &places[at];
        let answer = completions(workspace, file, place.offset);
        println!(
            "    slow: {:7.3} ms at {:?} ({}): {} items{}, first {:?}",
            median.as_secs_f64() * 1e3,
            place.typed,
            if place.in_infobox { "infobox" } else { "prose" },
            answer.items.len(),
            if answer.is_incomplete { ", incomplete" } else { "" },
            answer.items.first().map(|item| item.label.as_str()).unwrap_or("")
        );
    }
}

/// `lsp_e2e`'s article: one in the middle of the corpus with an infobox that lists the common
/// person, who is also mentioned in its prose.
fn pick_article(corpus: &Corpus) -> (usize, &Article) {
    let common = corpus.common_person();
    let count = corpus.articles.len();
    let is_common = |article: &Article, name: &corpus::WrittenName| {
        name.kind == NameKind::Person && &article.text[name.start..name.end] == common
    };
    (count / 2..count)
        .chain(0..count / 2)
        .map(|index| (index, &corpus.articles[index]))
        .find(|(_, article)| {
            let listed = article.names.iter().filter(|name| is_common(article, name) && name.in_infobox).count();
            let in_prose = article.names.iter().filter(|name| is_common(article, name) && !name.in_infobox).count();
            article.has_infobox && article.defects.is_empty() && listed >= 1 && in_prose >= 2
        })
        .expect("an article lists and mentions the common person")
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| text.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}
