//! A cold start in process, to be counted rather than timed: the first N articles (5,000 by
//! default) of the 50,000-article corpus are read, parsed and merged in batches of 1,024, as
//! the server does with its cache off, then the mention table and the mention index are
//! built. On a shared machine a start's time swings by a tenth to a third between identical
//! runs; the number of instructions does not, so a change that does less work shows:
//!
//! ```text
//! cargo bench --bench cold_instructions            # writes the corpus if missing, times one run
//! RAYON_NUM_THREADS=1 valgrind --tool=cachegrind --LL=2097152,16,64 \
//!     target/release/deps/cold_instructions-<hash> 5000
//! ```
//!
//! With `fresh-cache` among the arguments it counts a user's first start instead: the same,
//! through a facts cache in a new folder, as the server's first start goes through it (the
//! shards held back, the folder listed, the sweep), without writing the shards.
//!
//! The corpus is `<target>/bench-corpus-50000/`, shared with `lsp_e2e` (same generator and
//! stamp). The binary uses the server's allocator (jemalloc, same build settings), so the
//! allocator's work counts as in the server. docs/PERFORMANCE.md has the figures.

#[allow(dead_code, unreachable_pub)]
#[path = "support/corpus.rs"]
mod corpus;

use std::path::{Path, PathBuf};
use std::time::Instant;

use seedls::cache::FactsCache;
use seedls::index::Workspace;
use seedls::index::workspace::{Batch, RunNames};

#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

const CORPUS_ARTICLES: usize = 50_000;
const BATCH: usize = 1024;

fn main() {
    // `cargo bench` passes `--bench`; a number is the count of articles.
    let count = std::env::args().skip(1).find_map(|arg| arg.parse::<usize>().ok()).unwrap_or(5000);
    // <target>/tmp → <target>
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().expect("a target directory").to_path_buf();
    let folder = corpus::folder_under(&target_dir, CORPUS_ARTICLES);
    // A corpus of another generator version or seed is written again, not counted on.
    if !corpus::stamped_by_this_generator(&folder, CORPUS_ARTICLES) {
        let corpus = corpus::generate(corpus::DEFAULT_SEED, CORPUS_ARTICLES);
        corpus::write_to(&corpus, &folder).expect("a writable target directory");
        eprintln!("wrote the corpus to {}: run again for a count without the generator", folder.display());
    }
    // The articles, as the server's walk finds them (hidden files such as the stamp skipped).
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&folder)
        .expect("the corpus folder")
        .map(|entry| entry.expect("a folder entry").path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "txt"))
        .collect();
    // By name (the files are numbered): comparing paths by components would be a fifth of
    // the count.
    paths.sort_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
    paths.truncate(count);
    let cache = std::env::args().any(|arg| arg == "fresh-cache").then(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cold-instructions-cache");
        let _ = std::fs::remove_dir_all(&dir);
        FactsCache::at(dir)
    });
    let started = Instant::now();
    let mut workspace = Workspace::default();
    if let Some(cache) = &cache {
        cache.hold_shards(true);
    }
    let listing = cache.as_ref().and_then(|cache| cache.listing_for(paths.len()));
    // As the server's run: what a batch found of its names serves the batches after it.
    let run = RunNames::shared();
    for batch in paths.chunks(BATCH) {
        let read = seedls::cache::index_paths_with_cache(batch, cache.as_ref(), |path| {
            Ok(format!("file://{}", path.display()))
        });
        let files = read.into_iter().map(|file| file.expect("a readable article")).collect();
        workspace.insert_batch(Batch::new(files).within_run(&run));
    }
    drop(listing);
    if let Some(cache) = &cache {
        cache.sweep(paths.clone());
    }
    let indexed = started.elapsed();
    workspace.warm_matcher();
    let table = started.elapsed();
    workspace.warm_mentions();
    let done = started.elapsed();
    println!(
        "{} articles indexed with their mentions in {:.2} s (read, parse, merge {:.3} s; mention table {:.3} s; mention index {:.3} s)",
        paths.len(),
        done.as_secs_f64(),
        indexed.as_secs_f64(),
        (table - indexed).as_secs_f64(),
        (done - table).as_secs_f64()
    );
    if let Some(cache) = cache {
        // The writer's sweep is counted too (dropping the cache waits for it); the shards
        // held back are never written.
        drop(cache);
    }
}
