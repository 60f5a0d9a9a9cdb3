//! What the table of operations ([`crate::operations`]) is made of.
//!
//! The table is generated from the spec with the client, one `static` per operation,
//! so that the rest of the project (the `meeting` wrapper's retries and error context,
//! the simulator's router, the CLI's help, the tests) reads an operation's method,
//! path, authentication and retry class instead of spelling them again.
//!
//! ```
//! use meeting_api::operations::{ALL, LOCK_MEETING};
//! use meeting_api::table::{Auth, Repeat};
//!
//! assert_eq!(LOCK_MEETING.id, "LockMeeting");
//! assert_eq!(LOCK_MEETING.auth, Auth::Control);
//! assert_eq!(LOCK_MEETING.repeat, Repeat::Safe);
//! assert!(ALL.iter().any(|op| op.id == "CancelMeeting"));
//! ```

use std::fmt;

/// One operation of the spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Operation {
    /// The spec's `operationId` (`LockMeeting`).
    pub id: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path as the spec spells it (a template where it has parameters).
    pub path: &'static str,
    /// What the operation authenticates with.
    pub auth: Auth,
    /// Whether the operation may be sent again after a failure.
    pub repeat: Repeat,
    /// Its family (its tag in the spec), one of [`crate::operations::FAMILIES`].
    pub family: &'static str,
}

impl Operation {
    /// The operation with this `operationId`, if the spec has it.
    pub fn by_id(id: &str) -> Option<&'static Operation> {
        crate::operations::ALL
            .iter()
            .copied()
            .find(|op| op.id == id)
    }

    /// The operation served at this method and path (a path as sent, its parameters
    /// filled in), if the spec has it; a path of the spec's own wins over a template
    /// (`/conferences/upcoming` over `/conferences/{conference_id}`).
    pub fn by_route(method: &str, path: &str) -> Option<&'static Operation> {
        let ops = || {
            crate::operations::ALL
                .iter()
                .copied()
                .filter(|op| op.method.as_str().eq_ignore_ascii_case(method))
        };
        ops()
            .find(|op| op.path == path)
            .or_else(|| ops().find(|op| op.path.contains('{') && path_matches(op.path, path)))
    }
}

/// Whether `path` (as sent; a base path before it allowed) is the spec's `template`,
/// each `{parameter}` segment standing for one non-empty segment.
///
/// ```
/// use meeting_api::operations::SHOW_WEBINAR;
/// use meeting_api::table::path_matches;
///
/// let template = SHOW_WEBINAR.path; // …/conferences/{conference_id}
/// let sent = |id: &str| template.replace("{conference_id}", id);
/// assert!(path_matches(template, &sent("916123456")));
/// assert!(path_matches(template, &format!("/base{}", sent("916123456"))));
/// assert!(!path_matches(template, &sent("")));
/// assert!(!path_matches(template, &sent("9/x")));
/// ```
pub fn path_matches(template: &str, path: &str) -> bool {
    // From the end, so that a base path before the template's is allowed; no allocation.
    let mut sent = path.rsplit('/');
    template
        .trim_start_matches('/')
        .rsplit('/')
        .all(|wanted| match sent.next() {
            None => false,
            Some(s) if wanted.starts_with('{') && wanted.ends_with('}') => !s.is_empty(),
            Some(s) => wanted == s,
        })
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id)
    }
}

/// The HTTP methods the spec uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`
    Get,
    /// `PUT`
    Put,
    /// `POST`
    Post,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method's name, upper case.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Put => "PUT",
            Self::Post => "POST",
            Self::Delete => "DELETE",
        }
    }
}

impl From<Method> for http::Method {
    fn from(method: Method) -> Self {
        match method {
            Method::Get => http::Method::GET,
            Method::Put => http::Method::PUT,
            Method::Post => http::Method::POST,
            Method::Delete => http::Method::DELETE,
        }
    }
}

/// What an operation authenticates with, from its `security` in the spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Auth {
    /// A login: account and password, or App ID and signature (`Authorization`).
    Login,
    /// The host password (`X-Password`) or the current control token: the grant or
    /// keep-alive of a meeting control token.
    HostPassword,
    /// The access token (`X-Access-Token`): management calls.
    Access,
    /// The meeting control token (`X-Conference-Authorization`): control calls.
    Control,
    /// The access token and a meeting's password (`X-Password`): the join randoms.
    AccessAndPassword,
    /// The meeting control token sent as `confToken`: the quality calls (their
    /// generated methods are [`crate::operations::CONF_TOKEN_METHODS`]).
    ConfToken,
}

/// Whether an operation may be sent again after a failure whose effect is unknown
/// (`x-meeting-repeat` in the spec). The rule, for every operation added:
/// a call that sets an absolute state or reads is [`Repeat::Safe`]; a call that ends
/// something is [`Repeat::Terminal`]; a call that creates, acts or adds is
/// [`Repeat::Never`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Repeat {
    /// Sets an absolute state or reads (lock, mute, settings, views, tokens, details):
    /// twice is the same as once. Retried on transient failures.
    Safe,
    /// Ends something (stop, cancel): a repeat of one that was applied fails, so it is
    /// retried only when the caller asks for it.
    Terminal,
    /// Creates, acts or adds (create, invite, hang up, prolong): a repeat would do it
    /// twice. Never retried.
    Never,
}

/// Checks that the folder `dir` holds one module (`name.rs` or `name/`) per family of
/// [`crate::operations::FAMILIES`], apart from `elsewhere` (families the crate serves
/// in another place) and `others` (modules in the folder that are not a family): how
/// each crate's test keeps its family modules named as the spec's tags. The error
/// names what is missing and what is extra.
pub fn check_family_modules(
    dir: &std::path::Path,
    elsewhere: &[&str],
    others: &[&str],
) -> Result<(), String> {
    use std::collections::BTreeSet;
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let modules: BTreeSet<String> = entries
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            let module = name.strip_suffix(".rs").unwrap_or(&name).to_owned();
            (module != "mod" && !others.contains(&module.as_str())).then_some(module)
        })
        .collect();
    let families: BTreeSet<String> = crate::operations::FAMILIES
        .iter()
        .filter(|family| !elsewhere.contains(family))
        .map(|family| (*family).to_owned())
        .collect();
    let missing: Vec<_> = families.difference(&modules).collect();
    let extra: Vec<_> = modules.difference(&families).collect();
    if missing.is_empty() && extra.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}: families without a module {missing:?}, modules that are no family {extra:?}",
            dir.display()
        ))
    }
}
