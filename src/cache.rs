//! The on-disk cache of per-article facts, so that a warm start reads shards instead of
//! parsing every article. An edge: it owns the file system; the bytes are `index::shard`'s.
