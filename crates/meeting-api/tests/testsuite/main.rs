//! The integration tests of `meeting-api`, one module per concern, in one binary (as
//! cargo's `tests/testsuite`): linked once instead of once per file.

mod schema_agreement;
mod seed_requests;
