//! `meeting-demo`: the whole flow on an embedded simulator (`cargo run -p meeting-demo`).

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    match meeting_demo::run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {failure}");
            ExitCode::FAILURE
        }
    }
}
