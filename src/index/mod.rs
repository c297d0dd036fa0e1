//! What seedls knows beyond one parse tree: the infobox schema, dates, per-file facts and
//! the workspace that unites them. No I/O here: the edges hand texts in.

pub mod config;
pub mod date;
pub mod facts;
pub mod mentions;
pub mod names;
pub mod schema;
pub mod shard;
pub mod workspace;

pub use facts::{EntityKind, FileFacts, Listing, normalize_name};
pub use mentions::Mention;
pub use workspace::{Entity, FileId, SourceFile, Workspace};
