//! Placeholder: the end-to-end LSP benchmark is being written (see docs/PERFORMANCE.md).
fn main() {}
