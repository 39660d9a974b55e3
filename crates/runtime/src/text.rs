//! Small helpers for the words shown to a CRM admin.

/// `text` with its first letter in upper case: engine messages are clauses ("enter a name"), shown
/// on their own they read as sentences.
pub fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}
