//! A readable summary of the generated public surface, for snapshot review.
//!
//! The summary is read back from the generated code (not from the spec), so it shows
//! what users of `meeting-api` actually get: one block per operation with its
//! parameters and result, and one per type with its fields and their JSON names.

use std::fmt::Write;

use quote::ToTokens;
use syn::{Fields, FnArg, ImplItem, Item, ReturnType, Type, Visibility};

use crate::error::CodegenError;

/// Summarises generated code (the output of [`crate::generate`]).
pub fn surface(code: &str) -> Result<String, CodegenError> {
    let file = syn::parse_file(code).map_err(|e| CodegenError::Format(e.to_string()))?;
    let mut out = String::new();
    let mut operations = Vec::new();
    let mut types = Vec::new();
    let mut table = Vec::new();
    for item in &file.items {
        match item {
            Item::Impl(imp) if type_name(&imp.self_ty) == "Client" && imp.trait_.is_none() => {
                operations.extend(imp.items.iter().filter_map(|i| match i {
                    ImplItem::Fn(f)
                        if is_pub(&f.vis)
                            && f.sig.ident != "new_with_client"
                            && f.sig.ident != "new" =>
                    {
                        Some((
                            f.sig.ident.to_string(),
                            request_line(&f.attrs),
                            parameters(f),
                            returns(&f.sig.output),
                        ))
                    }
                    _ => None,
                }));
            }
            Item::Mod(m) if m.ident == "types" => types = module_items(m),
            Item::Mod(m) if m.ident == "operations" => table = module_items(m),
            _ => {}
        }
    }

    for (name, _, parameters, _) in &operations {
        swappable(name, parameters)?;
    }

    writeln!(out, "# Operations").ok();
    for (name, request, parameters, returns) in &operations {
        writeln!(out, "\n{name}: {request}").ok();
        for parameter in parameters {
            writeln!(out, "  {parameter}").ok();
        }
        writeln!(out, " {returns}").ok();
    }

    writeln!(
        out,
        "\n# Operation table (id, method, path, auth, repeat)\n"
    )
    .ok();
    for item in &table {
        let Item::Static(row) = item else { continue };
        let syn::Expr::Struct(fields) = &*row.expr else {
            continue;
        };
        let values: Vec<String> = fields
            .fields
            .iter()
            .map(|f| {
                f.expr
                    .to_token_stream()
                    .to_string()
                    .replace(' ', "")
                    .trim_matches('"')
                    .rsplit("::")
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect();
        writeln!(out, "{}", values.join(" ")).ok();
    }

    writeln!(out, "\n# Types").ok();
    for item in &types {
        match item {
            Item::Struct(s) if is_pub(&s.vis) => match &s.fields {
                Fields::Named(named) => {
                    writeln!(out, "\nstruct {}", s.ident).ok();
                    for field in &named.named {
                        let name = field
                            .ident
                            .as_ref()
                            .map(|i| i.to_string())
                            .unwrap_or_default();
                        let json = serde_rename(&field.attrs).unwrap_or_else(|| name.clone());
                        writeln!(out, "  {name}: {}  // \"{json}\"", compact(&field.ty)).ok();
                    }
                }
                Fields::Unnamed(unnamed) => {
                    let inner: Vec<_> = unnamed.unnamed.iter().map(|f| compact(&f.ty)).collect();
                    writeln!(
                        out,
                        "\nnewtype {}({}){}",
                        s.ident,
                        inner.join(", "),
                        allowed_values(&types, &s.ident)
                    )
                    .ok();
                }
                Fields::Unit => {
                    writeln!(out, "\nunit {}", s.ident).ok();
                }
            },
            Item::Enum(e) if is_pub(&e.vis) => {
                let variants: Vec<_> = e
                    .variants
                    .iter()
                    .map(|v| match serde_rename(&v.attrs) {
                        Some(json) => format!("{} = \"{json}\"", v.ident),
                        None => v.ident.to_string(),
                    })
                    .collect();
                writeln!(out, "\nenum {} {{ {} }}", e.ident, variants.join(", ")).ok();
            }
            _ => {}
        }
    }
    Ok(out)
}

/// The values a validating integer newtype accepts, read from its `TryFrom` impl.
fn allowed_values(types: &[Item], ident: &syn::Ident) -> String {
    for item in types {
        let Item::Impl(imp) = item else { continue };
        let is_try_from = imp
            .trait_
            .as_ref()
            .is_some_and(|(_, path, _)| path.segments.last().is_some_and(|s| s.ident == "TryFrom"));
        if !is_try_from || *ident != type_name(&imp.self_ty) {
            continue;
        }
        let body = imp.to_token_stream().to_string();
        if let Some(start) = body.find('[')
            && let Some(end) = body[start..].find(']')
        {
            let values = body[start + 1..start + end]
                .replace(' ', "")
                .replace("_i32", "")
                .replace("_i64", "");
            return format!(" in [{}]", values.replace(',', ", "));
        }
    }
    String::new()
}

fn module_items(m: &syn::ItemMod) -> Vec<Item> {
    m.content
        .as_ref()
        .map(|(_, items)| items.clone())
        .unwrap_or_default()
}

fn is_pub(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

fn type_name(ty: &Type) -> String {
    match ty {
        Type::Path(p) => p
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default(),
        Type::Reference(r) => type_name(&r.elem),
        _ => String::new(),
    }
}

/// Every line of every doc attribute (one attribute may hold several lines).
fn doc_lines(attrs: &[syn::Attribute]) -> impl Iterator<Item = String> + '_ {
    attrs
        .iter()
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .flat_map(|text| {
            text.lines()
                .map(|l| l.trim().to_owned())
                .collect::<Vec<_>>()
        })
}

/// "PUT /v1/…" from the "Sends a `PUT` request to `/v1/…`" doc line.
fn request_line(attrs: &[syn::Attribute]) -> String {
    doc_lines(attrs)
        .find_map(|line| {
            let rest = line.strip_prefix("Sends a `")?;
            let (method, rest) = rest.split_once('`')?;
            let path = rest.split('`').nth(1)?;
            Some(format!("{method} {path}"))
        })
        .unwrap_or_default()
}

fn serde_rename(attrs: &[syn::Attribute]) -> Option<String> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("serde"))
        .find_map(|a| {
            let text = a.meta.to_token_stream().to_string();
            let start = text.find("rename = \"")? + "rename = \"".len();
            let end = text[start..].find('"')?;
            Some(text[start..start + end].to_owned())
        })
}

/// The argument a builder setter takes: its `TryInto<T>` or `Into<T>` bound when generic.
/// An operation's parameters, `name: Type`, in order (the receiver left out).
fn parameters(f: &syn::ImplItemFn) -> Vec<String> {
    f.sig
        .inputs
        .iter()
        .filter_map(|input| match input {
            FnArg::Typed(typed) => Some(format!("{}: {}", compact(&typed.pat), compact(&typed.ty))),
            FnArg::Receiver(_) => None,
        })
        .collect()
}

/// Refuses an operation with two parameters of one type: positional arguments that a
/// swap would not stop from compiling (a token where a conference ID goes, an end date
/// where the start goes). The spec gives one of them a named schema (a newtype).
fn swappable(operation: &str, parameters: &[String]) -> Result<(), CodegenError> {
    let typed: Vec<(&str, &str)> = parameters
        .iter()
        .filter_map(|p| p.split_once(": "))
        .collect();
    for (i, (name, ty)) in typed.iter().enumerate() {
        if let Some((other, _)) = typed[i + 1..].iter().find(|(_, t)| t == ty) {
            return Err(CodegenError::Unsupported {
                location: format!("operation {operation}"),
                message: format!(
                    "parameters `{name}` and `{other}` are both `{ty}`, so a swap would \
                     compile: give one a named schema in components/schemas"
                ),
            });
        }
    }
    Ok(())
}

fn returns(output: &ReturnType) -> String {
    match output {
        ReturnType::Type(_, ty) if type_name(ty) != "Self" => format!(" -> {}", compact(ty)),
        _ => String::new(),
    }
}

/// Tokens to a one-line string without the spaces `to_string` puts around punctuation.
fn compact(tokens: &impl ToTokens) -> String {
    let text = tokens.to_token_stream().to_string();
    let mut out = text
        .replace(" :: ", "::")
        .replace(":: ", "::")
        .replace(" < ", "<")
        .replace("< ", "<")
        .replace(" <", "<")
        .replace(" >", ">")
        .replace(" ,", ",")
        .replace("& ", "&")
        .replace("' ", "'");
    while out.contains("> >") {
        out = out.replace("> >", ">>");
    }
    for noise in [
        "::std::option::",
        "::std::string::",
        "::std::vec::",
        "std::option::",
        "std::string::",
    ] {
        out = out.replace(noise, "");
    }
    out.replace(",>", ">")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client_with(signature: &str) -> String {
        format!("pub struct Client;\nimpl Client {{\n    pub async fn {signature} {{}}\n}}\n")
    }

    #[test]
    fn two_parameters_of_one_type_are_refused_by_name() {
        let code =
            client_with("op<'a>(&'a self, conference_id: &'a str, participant_id: &'a str) -> ()");
        let err = surface(&code).expect_err("a swappable pair");
        let message = err.to_string();
        assert!(message.contains("operation op"), "{message}");
        assert!(
            message.contains("`conference_id` and `participant_id` are both `&'a str`"),
            "{message}"
        );
    }

    #[test]
    fn parameters_of_distinct_types_pass() {
        let code = client_with(
            "op<'a>(&'a self, conference_id: &'a str, participant_id: &'a types::ParticipantId) -> ()",
        );
        let summary = surface(&code).expect("no swappable pair");
        assert!(
            summary.contains("participant_id: &'a types::ParticipantId"),
            "{summary}"
        );
    }
}
