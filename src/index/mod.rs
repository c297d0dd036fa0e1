//! What seedls knows beyond one parse tree: the infobox schema, dates, per-file facts and
//! the workspace that unites them. No I/O here: the edges hand texts in.

pub mod date;
pub mod schema;
