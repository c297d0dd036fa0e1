//! seedls: a language server for seed documents.
//!
//! Layers, from the text up: `syntax` (parse never fails) → `index` (per-file facts, then the
//! workspace) → `ide` (one module per feature, plain data in and out) → the edges, `lsp` and
//! `cli`, which alone know about the protocol, files and positions in lines and columns.
//! ARCHITECTURE.md has the map.

pub mod cache;
pub mod cancel;
pub mod cli;
pub mod codes;
pub mod ide;
pub mod index;
pub mod lsp;
pub mod position;
pub mod scan;
pub mod syntax;
#[cfg(test)]
mod test_support;
