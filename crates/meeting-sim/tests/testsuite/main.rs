//! The integration tests of `meeting-sim`, one module per concern, in one binary (as
//! cargo's `tests/testsuite`): linked once instead of once per file.

mod binary;
mod properties;
mod service;
mod websocket;
