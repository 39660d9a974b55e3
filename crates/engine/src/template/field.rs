//! Field paths (`deal.products.0.name`), how a compiled template asks whether a field exists, and how a
//! render finds a field's value in the event context.

use std::fmt;

use serde_json::Value;

/// One step of a field path: a field name, or an index into a list.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathSegment {
    Name(String),
    Index(usize),
}

/// The dot-separated path inside a placeholder: `{{deal.person.email}}` holds `deal.person.email`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldPath {
    segments: Vec<PathSegment>,
}

impl FieldPath {
    /// Panics on an empty list: the placeholder syntax never produces one.
    pub fn new(segments: Vec<PathSegment>) -> Self {
        assert!(
            !segments.is_empty(),
            "a field path has at least one segment"
        );
        FieldPath { segments }
    }

    pub fn segments(&self) -> &[PathSegment] {
        &self.segments
    }

    /// The value at this path in `context`: names step into objects, indexes into arrays. `None` when
    /// any step is missing (an index on an object, a name on an array, or a key or index not present).
    pub fn lookup<'v>(&self, context: &'v Value) -> Option<&'v Value> {
        self.segments
            .iter()
            .try_fold(context, |value, segment| match segment {
                PathSegment::Name(name) => value.as_object()?.get(name),
                PathSegment::Index(index) => value.as_array()?.get(*index),
            })
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.segments.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            match segment {
                PathSegment::Name(name) => f.write_str(name)?,
                PathSegment::Index(index) => write!(f, "{index}")?,
            }
        }
        Ok(())
    }
}

/// Answers whether a field exists. The field catalog implements it; compilation asks it about every
/// placeholder, so unknown fields are diagnostics in the editor rather than surprises at run time.
pub trait FieldResolver {
    fn resolve(&self, path: &FieldPath) -> Resolution;

    /// Where the value a placeholder shows lives in the render context, when that is not the written
    /// path: a reference such as `{{deal.person}}` shows the related record's id, `deal.person.id`.
    fn value_path(&self, path: FieldPath) -> FieldPath {
        path
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    Known,
    /// The field exists, but using it is probably a mistake; the message says why.
    Warning(String),
    /// No such field: an error. `suggestion` is a path that probably was meant.
    Unknown {
        message: String,
        suggestion: Option<String>,
    },
}

impl Resolution {
    /// The standard answer for a path that names no field: "unknown field deal.titel".
    pub fn unknown_field(path: &FieldPath, suggestion: Option<String>) -> Self {
        Resolution::Unknown {
            message: format!("unknown field {path}"),
            suggestion,
        }
    }
}

/// Accepts every syntactically valid path: for checking syntax alone (a CLI without a catalog, tests).
#[derive(Debug, Clone, Copy, Default)]
pub struct AcceptAll;

impl FieldResolver for AcceptAll {
    fn resolve(&self, _path: &FieldPath) -> Resolution {
        Resolution::Known
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn path(segments: &[&str]) -> FieldPath {
        FieldPath::new(
            segments
                .iter()
                .map(|s| match s.parse() {
                    Ok(index) => PathSegment::Index(index),
                    Err(_) => PathSegment::Name(s.to_string()),
                })
                .collect(),
        )
    }

    #[test]
    fn lookup_steps_through_objects_and_arrays() {
        let context = json!({"deal": {"products": [{"name": "A"}, {"name": "B"}]}});
        assert_eq!(
            path(&["deal", "products", "1", "name"]).lookup(&context),
            Some(&json!("B"))
        );
        assert_eq!(
            path(&["deal", "products", "2", "name"]).lookup(&context),
            None
        );
        assert_eq!(path(&["deal", "0"]).lookup(&context), None);
        assert_eq!(path(&["deal", "products", "name"]).lookup(&context), None);
    }

    #[test]
    fn displays_as_written() {
        assert_eq!(
            path(&["deal", "products", "0", "name"]).to_string(),
            "deal.products.0.name"
        );
    }
}
