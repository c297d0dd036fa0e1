//! Test-only access to the bundled seed documents, so the core's tests need no file I/O of
//! their own (the core never names `std::fs`).

/// Every seed as (file name, text), sorted by name.
pub(crate) fn seeds() -> Vec<(String, String)> {
    let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds");
    let mut seeds: Vec<(String, String)> = std::fs::read_dir(folder)
        .expect("the seeds folder is bundled")
        .map(|entry| {
            let path = entry.expect("a readable entry").path();
            let name = path.file_name().expect("a file name").to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).expect("seeds are UTF-8"))
        })
        .collect();
    seeds.sort();
    seeds
}

/// The text of the seed whose name starts with `prefix` (`"000"`).
pub(crate) fn seed(prefix: &str) -> String {
    seeds().into_iter().find(|(name, _)| name.starts_with(prefix)).map(|(_, text)| text).expect("seed exists")
}
