//! The table of operations: what every part of the project needs to know about an
//! operation beyond its request shape, read from the spec once.
//!
//! Each operation of the spec yields one row: its `operationId`, method, path, how it
//! authenticates (from its `security`) and how it may be repeated (its
//! `x-meeting-repeat`). The rows become `meeting_api::operations`, which the wrapper's
//! call pipeline, the simulator's router, the CLI and the tests read instead of
//! spelling paths and names again.
//!
//! ## `x-meeting-repeat`: the retry class
//!
//! Every operation states it; the generator refuses an operation without it.
//! - `safe`: the call sets an absolute state or only reads (lock, mute, settings, views,
//!   tokens, details), so sending it twice has the effect of sending it once. Retried
//!   on transient failures.
//! - `terminal`: the call ends something (stop, cancel). A repeat of one that was
//!   applied fails ("already ended"), so it is retried only when the caller asks for it.
//! - `never`: the call creates, acts or adds (create, invite, hang up, prolong, save a
//!   layout, delete attendees). A repeat would do it twice; never retried.

use openapiv3::{OpenAPI, SecurityRequirement};

use crate::error::CodegenError;

/// The vendor extension that states an operation's retry class.
pub const REPEAT_EXTENSION: &str = "x-meeting-repeat";

/// One operation, as the table holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The `operationId`.
    pub id: String,
    /// `GET`, `PUT`, `POST` or `DELETE`.
    pub method: String,
    /// The path, as in the spec.
    pub path: String,
    /// `Login`, `HostPassword`, `Access`, `Control`, `ConfToken` or `AccessAndPassword`.
    pub auth: &'static str,
    /// `Safe`, `Terminal` or `Never`.
    pub repeat: &'static str,
    /// Its family: its one tag, one of the spec's `tags`.
    pub family: String,
    /// Its request body's media type when it is not plain `application/json`
    /// (progenitor sends every JSON body as that; the client's hook sets this one).
    pub content_type: Option<String>,
}

impl Row {
    /// The Rust name of the row's static: `LockMeeting` -> `LOCK_MEETING`.
    pub fn constant(&self) -> String {
        let mut out = String::new();
        for (i, c) in self.id.chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_uppercase());
        }
        out
    }
}

/// The rows of the spec's operations, in the spec's order.
pub fn rows(spec: &OpenAPI) -> Result<Vec<Row>, CodegenError> {
    let mut rows = Vec::new();
    for (path, item) in &spec.paths.paths {
        let Some(item) = item.as_item() else { continue };
        for (method, operation) in item.iter() {
            let id = operation.operation_id.clone().ok_or_else(|| {
                unsupported(
                    format!("{} {path}", method.to_uppercase()),
                    "every operation needs an operationId",
                )
            })?;
            let location = format!("operation {id} ({} {path})", method.to_uppercase());
            let repeat = match operation
                .extensions
                .get(REPEAT_EXTENSION)
                .and_then(|v| v.as_str())
            {
                Some("safe") => "Safe",
                Some("terminal") => "Terminal",
                Some("never") => "Never",
                _ => {
                    return Err(unsupported(
                        location,
                        "x-meeting-repeat must be safe, terminal or never (see meeting-codegen's table module)",
                    ));
                }
            };
            let security = operation.security.as_ref().or(spec.security.as_ref());
            let auth =
                auth_kind(security.map(Vec::as_slice).unwrap_or_default()).ok_or_else(|| {
                    unsupported(location.clone(), "its security names no known scheme")
                })?;
            let family = match operation.tags.as_slice() {
                [tag] if families(spec).contains(tag) => tag.clone(),
                _ => {
                    return Err(unsupported(
                        location,
                        "needs exactly one tag, one of the spec's top-level `tags` (its family)",
                    ));
                }
            };
            let content_type = operation
                .request_body
                .as_ref()
                .and_then(|body| body.as_item())
                .and_then(|body| body.content.keys().next())
                .filter(|media| media.as_str() != "application/json")
                .cloned();
            rows.push(Row {
                id,
                method: method.to_uppercase(),
                path: path.clone(),
                auth,
                repeat,
                family,
                content_type,
            });
        }
    }
    Ok(rows)
}

/// The operation families: the spec's top-level `tags`, in order.
pub fn families(spec: &OpenAPI) -> Vec<String> {
    spec.tags.iter().map(|tag| tag.name.clone()).collect()
}

/// The authentication kind, from the first requirement: its one scheme, or the access
/// token with the meeting's password.
fn auth_kind(security: &[SecurityRequirement]) -> Option<&'static str> {
    let requirement = security.first()?;
    let schemes: Vec<&str> = requirement.keys().map(String::as_str).collect();
    if let ["accessToken", "hostPassword"] | ["hostPassword", "accessToken"] = schemes[..] {
        return Some("AccessAndPassword");
    }
    let scheme = requirement.keys().next()?;
    Some(match scheme.as_str() {
        "accountPassword" | "appIdSignature" => "Login",
        "hostPassword" => "HostPassword",
        "accessToken" => "Access",
        "conferenceToken" => "Control",
        "qualityToken" => "ConfToken",
        _ => return None,
    })
}

fn unsupported(location: String, message: &str) -> CodegenError {
    CodegenError::Unsupported {
        location,
        message: message.to_owned(),
    }
}

/// The spec's component schemas, each with the Rust name of its generated type.
pub fn components(spec: &OpenAPI) -> Vec<(String, String)> {
    spec.components
        .as_ref()
        .map(|c| {
            c.schemas
                .keys()
                .map(|name| (name.clone(), type_name(name)))
                .collect()
        })
        .unwrap_or_default()
}

/// The name typify gives a component: words at case boundaries, each capitalized
/// (`ProxyTokenDTO` -> `ProxyTokenDto`).
fn type_name(component: &str) -> String {
    let chars: Vec<char> = component.chars().collect();
    let mut out = String::new();
    for (i, c) in chars.iter().enumerate() {
        let starts_word = i == 0
            || (c.is_ascii_uppercase()
                && (chars[i - 1].is_ascii_lowercase()
                    || chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase())));
        if starts_word || !c.is_ascii_alphabetic() {
            out.push(c.to_ascii_uppercase());
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// The `schemas` module of the generated crate: every component with the JSON Schema
/// its generated type derives, so that a test can hold the two side by side.
pub fn render_schemas(components: &[(String, String)]) -> String {
    let mut out = String::from(
        "/// Every component schema of the spec with the JSON Schema its generated type\n\
         /// derives, for checking that the two agree.\n\
         pub mod schemas {\n    /// The component's name in the spec, and its generated type's schema.\n    \
         pub fn all() -> Vec<(&'static str, schemars::schema::RootSchema)> {\n        vec![\n",
    );
    for (component, rust) in components {
        out.push_str(&format!(
            "            ({component:?}, schemars::schema_for!(crate::types::{rust})),\n"
        ));
    }
    out.push_str("        ]\n    }\n}\n");
    out
}

/// The `operations` module of the generated crate, as Rust source.
pub fn render(rows: &[Row], families: &[String]) -> String {
    let mut out = String::from(
        "/// The spec's operations, one static each, and [`ALL`](operations::ALL).\n\
         pub mod operations {\n    use crate::table::{Auth, Method, Operation, Repeat};\n",
    );
    for row in rows {
        let method = match row.method.as_str() {
            "GET" => "Get",
            "PUT" => "Put",
            "POST" => "Post",
            "DELETE" => "Delete",
            other => other,
        };
        out.push_str(&format!(
            "    /// `{} {}`\n    pub static {}: Operation = Operation {{ id: {:?}, method: Method::{method}, path: {:?}, auth: Auth::{}, repeat: Repeat::{}, family: {:?} }};\n",
            row.method,
            row.path,
            row.constant(),
            row.id,
            row.path,
            row.auth,
            row.repeat,
            row.family,
        ));
    }
    out.push_str(&format!(
        "    /// The operation families (the spec's tags), in its order: the module names of\n    /// the wrapper's `api`, the simulator's `world` and `service` and the CLI's\n    /// `commands`.\n    pub static FAMILIES: [&str; {}] = {:?};\n",
        families.len(),
        families,
    ));
    // progenitor names a method after its operation in snake case: the constant's words.
    let conf_token_methods: Vec<String> = rows
        .iter()
        .filter(|r| r.auth == "ConfToken")
        .map(|r| r.constant().to_lowercase())
        .collect();
    out.push_str(&format!(
        "    /// The generated methods whose control token travels as `confToken`\n    /// ([`Auth::ConfToken`]): the client's hook reads it by the method's name.\n    pub static CONF_TOKEN_METHODS: [&str; {}] = {:?};\n",
        conf_token_methods.len(),
        conf_token_methods,
    ));
    let content_types: Vec<(String, &str)> = rows
        .iter()
        .filter_map(|r| Some((r.constant().to_lowercase(), r.content_type.as_deref()?)))
        // A multipart body's type carries its boundary: its sender sets it.
        .filter(|(_, media)| *media != crate::MULTIPART)
        .collect();
    out.push_str(&format!(
        "    /// The generated methods whose JSON body's media type is not plain\n    /// `application/json`, and that type: the client's hook sets it.\n    pub static CONTENT_TYPES: [(&str, &str); {}] = {:?};\n",
        content_types.len(),
        content_types,
    ));
    out.push_str(&format!(
        "    /// Every operation of the spec, in its order.\n    pub static ALL: [&Operation; {}] = [{}];\n}}\n",
        rows.len(),
        rows.iter()
            .map(|r| format!("&{}", r.constant()))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(operation_yaml: &str) -> OpenAPI {
        let yaml = format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\ntags: [{{name: things}}]\npaths:\n  /x:\n    put:\n      operationId: SetThing\n      tags: [things]\n{operation_yaml}      responses:\n        '200': {{description: ok}}\n"
        );
        serde_yaml::from_str(&yaml).expect("test spec parses")
    }

    #[test]
    fn a_row_per_operation_with_its_auth_and_repeat() {
        let rows = rows(&spec(
            "      x-meeting-repeat: safe\n      security:\n        - conferenceToken: []\n",
        ))
        .expect("rows");
        assert_eq!(
            rows,
            [Row {
                id: "SetThing".into(),
                method: "PUT".into(),
                path: "/x".into(),
                auth: "Control",
                repeat: "Safe",
                family: "things".into(),
                content_type: None,
            }]
        );
        assert_eq!(rows[0].constant(), "SET_THING");
    }

    #[test]
    fn the_access_token_with_the_password_is_its_own_kind() {
        let both = "      x-meeting-repeat: never\n      security:\n        - accessToken: []\n          hostPassword: []\n";
        let rows = rows(&spec(both)).expect("rows");
        assert_eq!(rows[0].auth, "AccessAndPassword");
    }

    #[test]
    fn an_operation_without_a_known_family_is_refused_by_name() {
        let untagged =
            spec("      x-meeting-repeat: safe\n      security:\n        - accessToken: []\n")
                .paths
                .paths
                .clone();
        let mut other =
            spec("      x-meeting-repeat: safe\n      security:\n        - accessToken: []\n");
        other.tags.clear();
        other.paths.paths = untagged;
        let err = rows(&other).expect_err("a tag the spec does not list");
        let message = err.to_string();
        assert!(message.contains("operation SetThing"), "{message}");
        assert!(message.contains("exactly one tag"), "{message}");
    }

    #[test]
    fn an_operation_without_a_retry_class_is_refused_by_name() {
        let err = rows(&spec("      security:\n        - accessToken: []\n"))
            .expect_err("no x-meeting-repeat");
        assert!(
            err.to_string().contains("operation SetThing (PUT /x)"),
            "{err}"
        );
        let err = rows(&spec(
            "      x-meeting-repeat: sometimes\n      security:\n        - accessToken: []\n",
        ))
        .expect_err("unknown class");
        assert!(err.to_string().contains("safe, terminal or never"), "{err}");
    }

    #[test]
    fn component_names_become_typify_type_names() {
        assert_eq!(type_name("ProxyTokenDTO"), "ProxyTokenDto");
        assert_eq!(type_name("RestScheduleConfDTO"), "RestScheduleConfDto");
        assert_eq!(type_name("RestLockReqBody"), "RestLockReqBody");
        assert_eq!(type_name("ErrorBody"), "ErrorBody");
    }

    #[test]
    fn an_operation_without_a_known_scheme_is_refused() {
        let err = rows(&spec("      x-meeting-repeat: never\n")).expect_err("no security");
        assert!(err.to_string().contains("no known scheme"), "{err}");
    }
}
