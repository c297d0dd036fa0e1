//! Cold and warm indexing through the facts cache (`seedls::cache`), on the generated corpus
//! written to disk: what a start of the server costs with and without shards.
//!
//!     cargo bench --bench index_cache                                # 10,000 articles
//!     SEEDLS_BENCH_ARTICLES=50000 cargo bench --bench index_cache    # the 50k run
//!
//! The corpus goes where `lsp_e2e` puts it (`<target>/bench-corpus-<N>/`, same stamp, so the
//! two benchmarks share it). Each phase runs `SEEDLS_BENCH_RUNS` times (3) and the median is
//! printed:
//!
//! - read: every seed file read (`scan::read_seed`), nothing else — the floor of any start;
//! - cold: read + parse + facts + insert into a `Workspace` (what the server does today);
//! - fill: the same through an empty cache, shards queued to the writer thread; then the
//!   time until the writer has written them all;
//! - warm: read + stat + load shards + insert, with every shard a hit;
//! - insert: of the warm time, the part spent inserting into the workspace;
//! - pack: the facts of every file in one buffer (`index::pack`, what the server's warm start
//!   reads): encoded; opened, decoded and merged 4,096 files at a time on one thread; then the
//!   saved mention index taken back (the warm start's last phase);
//! - mentions: the server's mention warm-up after indexing (`Workspace::warm_mentions`),
//!   which comes on top of either start before its `$/progress` end.
//!
//! Texts and shards are in the page cache after the first run: these are warm-disk figures.
//! The machine is shared; the spread of the runs is printed beside the median.

#[allow(dead_code, unreachable_pub)]
#[path = "support/corpus.rs"]
mod corpus;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use seedls::cache::{self, FactsCache};
use seedls::index::config::Config;
use seedls::index::workspace::{Batch, TextSource};
use seedls::index::{SourceFile, Workspace, pack, shard};
use seedls::scan;

const DEFAULT_ARTICLES: usize = 10_000;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("index_cache: {error}");
            ExitCode::FAILURE
        }
    }
}

fn env_number(name: &str, default: usize) -> Result<usize, String> {
    match std::env::var(name) {
        Ok(value) => value.trim().parse().map_err(|_| format!("{name}={value} is not a number")),
        Err(_) => Ok(default),
    }
}

fn run() -> Result<(), String> {
    // `cargo bench` passes `--bench`; a filter argument would mean another benchmark.
    let article_count = env_number("SEEDLS_BENCH_ARTICLES", DEFAULT_ARTICLES)?;
    let runs = env_number("SEEDLS_BENCH_RUNS", 3)?.max(1);
    if article_count < 100 {
        return Err(format!("SEEDLS_BENCH_ARTICLES={article_count}: use at least 100 articles"));
    }
    // <target>/tmp → <target>
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().ok_or("no target directory")?.to_path_buf();
    let folder = corpus::folder_under(&target_dir, article_count);
    let started = Instant::now();
    let corpus = corpus::generate(corpus::DEFAULT_SEED, article_count);
    let wrote = corpus::write_to(&corpus, &folder)
        .map_err(|error| format!("writing the corpus to {}: {error}", folder.display()))?;
    println!(
        "corpus: {article_count} articles, {:.1} MB, {} in {:.1} s, at {}",
        corpus.total_bytes() as f64 / 1e6,
        if wrote { "generated and written" } else { "generated (already on disk)" },
        started.elapsed().as_secs_f64(),
        folder.display()
    );
    drop(corpus);

    let (paths, skipped) = scan::discover(&folder, &Config::default());
    if paths.len() != article_count || !skipped.is_empty() {
        return Err(format!("found {} seed files of {article_count}; skipped: {skipped:?}", paths.len()));
    }
    let cache_dir = target_dir.join(format!("bench-cache-{article_count}"));
    println!("threads: {} (rayon), runs: {runs}, cache: {}", rayon::current_num_threads(), cache_dir.display());

    let mut table = Table::default();

    table.row(
        "read texts only",
        measure(runs, || {
            clock(|| {
                let read: Vec<_> = paths.par_iter().map(|path| scan::read_seed(path)).collect();
                assert!(read.iter().all(Result::is_ok));
            })
        }),
    );

    let texts: Vec<String> = paths.par_iter().filter_map(|path| scan::read_seed(path).ok()).collect();
    table.row(
        "xxh3 of every text (in memory)",
        measure(runs, || {
            clock(|| {
                let hashes: u64 =
                    texts.par_iter().map(|text| shard::content_hash(text)).reduce(|| 0, u64::wrapping_add);
                std::hint::black_box(hashes);
            })
        }),
    );
    drop(texts);

    table.row(
        "cold: read + parse + facts + insert",
        measure(runs, || {
            clock(|| {
                let workspace = index_into_workspace(&paths, None);
                assert_eq!(workspace.file_count(), article_count);
            })
        }),
    );

    let mut fill_written = Vec::new();
    table.row(
        "fill: cold through an empty cache",
        measure(runs, || {
            let _ = std::fs::remove_dir_all(&cache_dir);
            let cache = FactsCache::at(cache_dir.clone());
            let started = Instant::now();
            let timing = clock(|| {
                index_into_workspace(&paths, Some(&cache));
            });
            cache.flush();
            fill_written.push(Timing { wall: started.elapsed(), cpu: None });
            let stats = cache.stats();
            assert_eq!(stats.misses as usize, article_count, "{stats:?}");
            // A full queue drops shards rather than wait.
            if stats.written as usize != article_count {
                println!("  (fill: {} shards written, {} dropped by a full queue)", stats.written, stats.dropped);
            }
            timing
        }),
    );
    table.row("  …until every shard is written", Sample::from(fill_written));
    // A fill that dropped shards leaves misses; a warm start fills the rest.
    {
        let cache = FactsCache::at(cache_dir.clone());
        index_into_workspace(&paths, Some(&cache));
    }

    let mut loaded = Vec::new();
    table.row(
        "warm: read + stat + shards + insert",
        measure(runs, || {
            let cache = FactsCache::at(cache_dir.clone());
            let timing = clock(|| {
                let files = load(&paths, Some(&cache));
                let mut workspace = Workspace::default();
                workspace.insert_files(files);
            });
            let stats = cache.stats();
            assert_eq!(stats.hits as usize, article_count, "every shard a hit: {stats:?}");
            loaded.push(load(&paths, Some(&cache)));
            timing
        }),
    );
    let shard_files: Vec<PathBuf> = std::fs::read_dir(&cache_dir)
        .map_err(|error| format!("{}: {error}", cache_dir.display()))?
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "shard"))
        .collect();
    table.row(
        "  read shard files only",
        measure(runs, || {
            clock(|| {
                let read: Vec<_> = shard_files.par_iter().map(std::fs::read).collect();
                assert!(read.iter().all(Result::is_ok));
            })
        }),
    );
    let shard_bytes: Vec<Vec<u8>> = shard_files.par_iter().filter_map(|path| std::fs::read(path).ok()).collect();
    table.row(
        "  decode shards (in memory)",
        measure(runs, || {
            clock(|| {
                let decoded = shard_bytes.par_iter().filter(|bytes| shard::decode(bytes).is_some()).count();
                assert_eq!(decoded, article_count);
            })
        }),
    );
    drop(shard_bytes);
    let files = loaded.pop().ok_or("no warm run")?;
    drop(loaded);
    table.row(
        "  of which insert into the workspace",
        measure(runs, || {
            clock(|| {
                let mut workspace = Workspace::default();
                workspace.insert_files(files.clone());
            })
        }),
    );
    pack_rows(&mut table, runs, &files)?;
    table.row(
        "mention warm-up after indexing",
        measure(runs, || {
            let mut workspace = Workspace::default();
            workspace.insert_files(files.clone());
            clock(|| workspace.warm_mentions())
        }),
    );

    println!();
    table.print();
    Ok(())
}

/// The pack of every file's facts (`index::pack`), what a warm start of the server reads
/// instead of the shards: encoded; decoded and merged a slice of 4,096 files at a time on one
/// thread (the server decodes on a second thread meanwhile: this is the merge's critical
/// path plus the decode); and the saved mention index taken back after it (fingerprint and
/// matcher side by side, decode, check), the start's last phase.
fn pack_rows(table: &mut Table, runs: usize, files: &[Arc<SourceFile>]) -> Result<(), String> {
    let stamp = shard::FileStamp { size: 0, modified_secs: 0, modified_nanos: 0 };
    let mut sorted = files.to_vec();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    let entries: Vec<pack::PackEntryRef<'_>> = sorted.iter().map(|file| pack::PackEntryRef::of(file, stamp)).collect();
    let mut bytes = Vec::new();
    table.row(
        "pack: encode",
        measure(runs, || clock(|| bytes = pack::encode_pack(&entries).expect("the pack encodes"))),
    );
    drop(entries);
    drop(sorted);
    println!("pack: {:.1} MB", bytes.len() as f64 / 1e6);
    let texts: Arc<dyn TextSource> = Arc::new(cache::DiskTexts::new(|key| Some(PathBuf::from(key))));
    let from_pack = || {
        let reader = pack::open_pack(&bytes).expect("the pack opens");
        let mut workspace = Workspace::default();
        for start in (0..reader.len()).step_by(PACK_SLICE) {
            let slice = reader.decode_named(start..start + PACK_SLICE).expect("the pack decodes");
            let files = slice
                .into_iter()
                .map(|(entry, names)| {
                    let len = entry.text_len as usize;
                    let file = SourceFile::unread(entry.path, entry.facts, entry.content_hash, len, texts.clone());
                    (Arc::new(file), names)
                })
                .collect();
            // As the server does: the slices share the pack's names, looked up once a start.
            workspace.insert_batch(Batch::from_pack(reader.names().clone(), files));
        }
        workspace
    };
    let mut merged = None;
    table.row(
        "pack: open, decode + merge by 4,096",
        measure(runs, || {
            drop(merged.take());
            clock(|| merged = Some(from_pack()))
        }),
    );
    let merged = merged.ok_or("no pack run")?;
    assert_eq!(merged.file_count(), files.len());
    merged.warm_mentions();
    let fingerprint = merged.mention_fingerprint();
    let saved = merged.mention_index_entries().ok_or("no mention index")?;
    let saved = shard::encode_mentions(fingerprint, &saved).ok_or("the mention index encodes")?;
    drop(merged);
    table.row(
        "  then the saved mention index taken back",
        measure(runs, || {
            let workspace = from_pack();
            clock(|| {
                let (fingerprint, ()) = rayon::join(|| workspace.mention_fingerprint(), || workspace.warm_matcher());
                let entries = shard::decode_mentions(&saved, fingerprint).expect("saved under this fingerprint");
                assert!(workspace.adopt_mention_index(entries));
            })
        }),
    );
    Ok(())
}

/// The server's slice of the pack (`lsp/indexing.rs`).
const PACK_SLICE: usize = 4096;

/// What the server does at start, minus the protocol: every path read and indexed in parallel,
/// then inserted into a workspace.
fn index_into_workspace(paths: &[PathBuf], cache: Option<&FactsCache>) -> Workspace {
    let mut workspace = Workspace::default();
    workspace.insert_files(load(paths, cache));
    workspace
}

fn load(paths: &[PathBuf], cache: Option<&FactsCache>) -> Vec<Arc<SourceFile>> {
    cache::index_paths_with_cache(paths, cache, |path| Ok(path.display().to_string()))
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap_or_else(|problem: String| panic!("the corpus indexes: {problem}"))
}

// ---------------------------------------------------------------------------------------------
// Timing.

/// How long one run of a phase took, and the CPU time this process spent in it (all threads:
/// on a shared machine CPU time says what the phase costs, wall time what it cost then).
#[derive(Clone, Copy)]
struct Timing {
    wall: Duration,
    cpu: Option<Duration>,
}

fn clock(work: impl FnOnce()) -> Timing {
    let cpu_before = process_cpu_time();
    let started = Instant::now();
    work();
    let wall = started.elapsed();
    let cpu = cpu_before.zip(process_cpu_time()).map(|(before, after)| after.saturating_sub(before));
    Timing { wall, cpu }
}

/// User + system time of this process, all threads (Linux: `/proc/self/stat`, in ticks of
/// 10 ms); `None` elsewhere.
fn process_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// Every run's timing, sorted by wall time.
struct Sample(Vec<Timing>);

impl From<Vec<Timing>> for Sample {
    fn from(mut timings: Vec<Timing>) -> Sample {
        timings.sort_by_key(|timing| timing.wall);
        Sample(timings)
    }
}

impl Sample {
    fn median_wall(&self) -> Duration {
        self.0[self.0.len() / 2].wall
    }

    fn median_cpu(&self) -> Option<Duration> {
        let mut cpu: Vec<Duration> = self.0.iter().filter_map(|timing| timing.cpu).collect();
        cpu.sort();
        cpu.get(cpu.len() / 2).copied()
    }
}

fn measure(runs: usize, mut work: impl FnMut() -> Timing) -> Sample {
    Sample::from((0..runs).map(|_| work()).collect::<Vec<_>>())
}

#[derive(Default)]
struct Table(Vec<(String, Sample)>);

impl Table {
    fn row(&mut self, name: &str, sample: Sample) {
        self.0.push((name.to_string(), sample));
    }

    fn print(&self) {
        println!("{:<40} {:>10} {:>22} {:>10}", "phase", "median", "runs (min … max)", "CPU");
        let ms = |duration: Duration| duration.as_secs_f64() * 1e3;
        for (name, sample) in &self.0 {
            let (Some(min), Some(max)) = (sample.0.first(), sample.0.last()) else {
                continue;
            };
            let cpu = sample.median_cpu().map_or(String::new(), |cpu| format!("{:.0} ms", ms(cpu)));
            println!(
                "{name:<40} {:>7.0} ms {:>12.0} … {:.0} ms {cpu:>10}",
                ms(sample.median_wall()),
                ms(min.wall),
                ms(max.wall)
            );
        }
    }
}
