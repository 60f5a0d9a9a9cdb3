//! Text a server chose, made safe to print.

/// Text a server chose (a name, a subject, a message), made safe to print on a
/// terminal or in a log line: no control characters (escape sequences, newlines) and
/// no invisible direction overrides.
///
/// ```
/// assert_eq!(meeting::printable("\x1b[2JBoard\r\nroom\u{202e}"), "[2JBoardroom");
/// ```
pub fn printable(text: &str) -> String {
    printable_at_most(text, usize::MAX)
}

/// [`printable`], at most `limit` characters (then an ellipsis).
pub(crate) fn printable_at_most(text: &str, limit: usize) -> String {
    let mut kept = text.chars().filter(|c| {
        !(c.is_control()
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
    });
    let mut out: String = kept.by_ref().take(limit).collect();
    if kept.next().is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_text_is_made_printable() {
        assert_eq!(
            printable_at_most("\x1b[2J\x1b[HOK\r\nfake\u{202e}", 100),
            "[2J[HOKfake"
        );
        assert_eq!(printable_at_most(&"y".repeat(10), 4), "yyyy…");
    }
}
