//! Helpers of the end-to-end benchmark: the corpus generator and a stdio LSP client.

pub(crate) mod corpus;
pub(crate) mod lsp_client;
