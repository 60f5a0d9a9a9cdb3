//! The operation families, one module per family of the spec's tags
//! ([`meeting_api::operations::FAMILIES`]), as octocrab's `api/`. Each adds its
//! operations to the handles ([`crate::Conference`], [`crate::Participant`],
//! [`crate::Client`]) and defines the types they take and answer; each operation is
//! its input check and one [`crate::Conference::run`]-style call. The `auth` family
//! has no module here: its operations are the token layer's (`crate::tokens`).

pub(crate) mod archive;
pub(crate) mod control;
pub(crate) mod display;
pub(crate) mod history;
pub(crate) mod interpretation;
pub(crate) mod management;
pub(crate) mod participants;
pub(crate) mod quality;
pub(crate) mod recording;
pub(crate) mod roles;
pub(crate) mod search;
pub(crate) mod spotlight;
pub(crate) mod waiting;
pub(crate) mod webhook;
pub(crate) mod webinar;

#[cfg(test)]
mod tests {
    #[test]
    fn the_modules_are_the_spec_families() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api");
        // `auth` is the token layer's (`tokens`).
        let checked = meeting_api::table::check_family_modules(&dir, &["auth"], &[]);
        assert_eq!(checked, Ok(()));
    }
}
