//! Parse + diagnostics on each seed and on a 1 MB document made of the seeds repeated.
//! `cargo bench --bench parse`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use seedls::ide::diagnostics::file_diagnostics;
use seedls::index::schema::Schema;
use seedls::syntax::parse;

fn seeds() -> Vec<(String, String)> {
    let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds");
    let mut seeds: Vec<(String, String)> = std::fs::read_dir(folder)
        .expect("seeds folder")
        .map(|entry| {
            let path = entry.expect("entry").path();
            (
                path.file_name().unwrap().to_string_lossy()[..3].to_string(),
                std::fs::read_to_string(&path).expect("UTF-8"),
            )
        })
        .collect();
    seeds.sort();
    seeds
}

/// About 1 MB: the seeds' bodies one after another, as one long article.
fn one_megabyte(seeds: &[(String, String)]) -> String {
    let mut text = String::from("= A long article =\n\n");
    while text.len() < 1_000_000 {
        for (_, seed) in seeds {
            text.push_str(seed);
            text.push_str("\n\n");
        }
    }
    text
}

fn bench(c: &mut Criterion) {
    let seeds = seeds();
    let schema = Schema::default();
    let mut group = c.benchmark_group("parse+diagnostics");
    for (name, text) in &seeds {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(format!("seed {name}"), |b| {
            b.iter(|| {
                let document = parse(black_box(text));
                black_box(file_diagnostics(text, &document, &schema))
            })
        });
    }
    let big = one_megabyte(&seeds);
    group.throughput(Throughput::Bytes(big.len() as u64));
    group.sample_size(20);
    group.bench_function("1 MB document", |b| {
        b.iter(|| {
            let document = parse(black_box(&big));
            black_box(file_diagnostics(&big, &document, &schema))
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
