//! What seedls knows beyond one parse tree: the infobox schema, dates, per-file facts and
//! the workspace that unites them. No I/O here: the edges hand texts in.

pub mod config;
pub mod date;
pub mod facts;
pub mod mentions;
pub mod names;
pub mod pack;
pub mod schema;
pub mod shard;
mod sorted_set;
pub mod text;
pub mod workspace;

pub use facts::{EntityKind, FileFacts, Listing, normalize_name};
pub use mentions::Mention;
pub use text::SharedText;
pub use workspace::{Entity, FileId, OccurrenceSearch, SourceFile, Workspace};

/// A persistent hash map hashed with foldhash (names and paths: imbl's default, SipHash,
/// was most of the cost of looking a name up while indexing).
pub(crate) type PersistentHashMap<K, V> =
    imbl::GenericHashMap<K, V, foldhash::fast::RandomState, imbl::shared_ptr::DefaultSharedPtr>;

/// The set of [`PersistentHashMap`].
pub(crate) type PersistentHashSet<A> =
    imbl::GenericHashSet<A, foldhash::fast::RandomState, imbl::shared_ptr::DefaultSharedPtr>;

/// A name with the ids of the files that mention it, ascending: an entry of the mention
/// index as the cache saves it.
pub type MentionEntry = (std::sync::Arc<str>, std::sync::Arc<[u32]>);
