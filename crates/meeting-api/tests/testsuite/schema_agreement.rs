//! The JSON Schema that schemars derives for each generated type agrees with the spec's
//! component: the same property names, the same required set, the same JSON types and
//! the same enumerated values.

use std::collections::BTreeSet;

use serde_json::Value;

fn spec_components() -> serde_json::Map<String, Value> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/meeting.yaml");
    let text = std::fs::read_to_string(path).expect("spec readable");
    let spec: Value = serde_yaml::from_str(&text).expect("spec is YAML");
    spec["components"]["schemas"]
        .as_object()
        .expect("components.schemas")
        .clone()
}

/// Follows `$ref` (into `definitions`) and unwraps `Option`'s `anyOf [T, null]`.
fn resolve<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next().expect("ref name");
        return resolve(root, &root["definitions"][name]);
    }
    if let Some(any_of) = schema.get("anyOf").and_then(Value::as_array) {
        if let Some(non_null) = any_of
            .iter()
            .find(|s| s.get("type") != Some(&Value::from("null")))
        {
            return resolve(root, non_null);
        }
    }
    if let Some(all_of) = schema.get("allOf").and_then(Value::as_array) {
        if all_of.len() == 1 {
            return resolve(root, &all_of[0]);
        }
    }
    schema
}

fn json_type(schema: &Value) -> Option<String> {
    match schema.get("type")? {
        Value::String(t) => Some(t.clone()),
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .map(str::to_owned),
        _ => None,
    }
}

fn keys(value: &Value) -> BTreeSet<String> {
    value
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

fn strings(value: &Value) -> BTreeSet<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn spec_resolve<'a>(
    components: &'a serde_json::Map<String, Value>,
    schema: &'a Value,
) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => &components[reference.rsplit('/').next().expect("ref name")],
        None => schema,
    }
}

fn check(name: &str, derived: Value, components: &serde_json::Map<String, Value>) {
    let spec = &components[name];
    let root = &derived;
    let derived = resolve(root, root);
    assert_eq!(
        json_type(derived),
        spec["type"].as_str().map(str::to_owned),
        "{name}: type"
    );
    assert_eq!(
        keys(&derived["properties"]),
        keys(&spec["properties"]),
        "{name}: properties"
    );
    assert_eq!(
        strings(&derived["required"]),
        strings(&spec["required"]),
        "{name}: required"
    );
    if let Some(values) = spec.get("enum") {
        assert_eq!(derived.get("enum"), Some(values), "{name}: enum");
    }
    for (property, spec_property) in spec["properties"].as_object().into_iter().flatten() {
        let spec_property = spec_resolve(components, spec_property);
        let derived_property = resolve(root, &derived["properties"][property]);
        assert_eq!(
            json_type(derived_property),
            spec_property["type"].as_str().map(str::to_owned),
            "{name}.{property}: type"
        );
        if let Some(values) = spec_property.get("enum") {
            assert_eq!(
                derived_property.get("enum"),
                Some(values),
                "{name}.{property}: enum"
            );
        }
    }
}

#[test]
fn every_component_agrees_with_its_generated_type() {
    let components = spec_components();
    let derived: Vec<(&str, Value)> = meeting_api::schemas::all()
        .into_iter()
        .map(|(name, schema)| (name, serde_json::to_value(schema).expect("schema is JSON")))
        .collect();
    let covered: BTreeSet<String> = derived.iter().map(|(n, _)| n.to_string()).collect();
    assert_eq!(
        covered,
        components.keys().cloned().collect(),
        "a component was added or removed: list it here"
    );
    for (name, schema) in derived {
        check(name, schema, &components);
    }
}
