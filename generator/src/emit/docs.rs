//! Turns spec descriptions (CommonMark with some HTML) into rustdoc that `cargo doc`
//! accepts without warnings and that never runs as a doctest.

use crate::ir::{Bound, Constraints, Range, TypeRef};

/// Rustdoc lines for a description, each with a leading space for `///` output.
pub(super) fn lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fenced = false;
    for raw in text.replace("\r\n", "\n").replace('\r', "\n").lines() {
        let trimmed = raw.trim();
        if trimmed.starts_with("```") {
            out.push(if fenced { "```".to_owned() } else { "```text".to_owned() });
            fenced = !fenced;
            continue;
        }
        if fenced {
            out.push(raw.trim_end().to_owned());
            continue;
        }
        // Leading indentation would make an indented code block, i.e. a doctest.
        out.push(inline(trimmed));
    }
    if fenced {
        out.push("```".to_owned());
    }
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    while out.first().is_some_and(String::is_empty) {
        out.remove(0);
    }
    out.into_iter().map(|l| if l.is_empty() { l } else { format!(" {l}") }).collect()
}

/// Escapes what rustdoc would misread in one line outside code blocks: bare URLs become
/// autolinks, `[x]` that is not a Markdown link is escaped (no intra-doc link), and `<`
/// that does not start an autolink is escaped (no HTML tag).
fn inline(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let bytes = line.as_bytes();
    let mut i = 0;
    let mut in_code = false;
    while i < line.len() {
        let rest = &line[i..];
        let c = rest.chars().next().unwrap_or(' ');
        if c == '`' {
            in_code = !in_code;
            out.push(c);
            i += 1;
            continue;
        }
        if in_code {
            out.push(c);
            i += c.len_utf8();
            continue;
        }
        let prev = if i == 0 { b' ' } else { bytes[i - 1] };
        let in_link = prev == b'(' && i >= 2 && bytes[i - 2] == b']';
        if (rest.starts_with("https://") || rest.starts_with("http://"))
            && !in_link
            && !matches!(prev, b'<' | b'"' | b'\'' | b'=')
        {
            let end = rest.find(|ch: char| ch.is_whitespace() || ch == '>' || ch == '"').unwrap_or(rest.len());
            let url = rest[..end].trim_end_matches(['.', ',', ';', ':', ')', '!', '?']);
            out.push('<');
            out.push_str(url);
            out.push('>');
            i += url.len();
            continue;
        }
        match c {
            '<' => {
                if let Some(end) = rest.find('>') {
                    let inner = &rest[1..end];
                    if inner.starts_with("http://") || inner.starts_with("https://") {
                        out.push_str(&rest[..=end]);
                        i += end + 1;
                        continue;
                    }
                }
                out.push_str("&lt;");
            }
            '>' if i == 0 => out.push_str("&gt;"),
            '[' => {
                let link = rest.find(']').is_some_and(|end| rest[end + 1..].starts_with('('));
                out.push_str(if link { "[" } else { "\\[" });
            }
            ']' => {
                let link = rest[1..].starts_with('(');
                out.push_str(if link { "]" } else { "\\]" });
            }
            _ => out.push(c),
        }
        i += c.len_utf8();
    }
    if in_code {
        // An unbalanced backtick: close it so the rest of the doc is not code.
        out.push('`');
    }
    out
}

/// The sentences that state a value's constraints, for the rustdoc of a field, setter or
/// argument of type `ty`: `{subject} be from 1 to 500.`, with `Each item must …` for an
/// array's items; `None` when the spec states none.
pub(super) fn constraints(c: &Constraints, ty: &TypeRef, subject: &str) -> Option<String> {
    let own = musts(c, ty).map(|musts| format!("{subject} {musts}."));
    let each = match (&c.items, ty) {
        (Some(items), TypeRef::Array(item)) => musts(items, item).map(|musts| format!("Each item must {musts}.")),
        _ => None,
    };
    let sentences: Vec<String> = own.into_iter().chain(each).collect();
    (!sentences.is_empty()).then(|| sentences.join(" "))
}

/// What a value must do to meet its own constraints (`be from 1 to 500 and match `x``).
fn musts(c: &Constraints, ty: &TypeRef) -> Option<String> {
    let mut musts = Vec::new();
    if let Some(range) = c.range(ty) {
        musts.push(format!("be {}", range_text(&range)));
    }
    if let Some(count) = counted(c.min_length, c.max_length, "character") {
        musts.push(format!("be {count} long"));
    }
    if let Some(count) = counted(c.min_items, c.max_items, "item") {
        musts.push(format!("have {count}"));
    }
    if let Some(pattern) = &c.pattern {
        let fence = if pattern.contains('`') { "``" } else { "`" };
        musts.push(format!("match {fence}{pattern}{fence}"));
    }
    (!musts.is_empty()).then(|| and_list(&musts))
}

/// `from 1 to 500`, `at least 0`, `greater than 0 and at most 1`.
fn range_text(range: &Range) -> String {
    match range {
        Range::Integer(min, max) => span(*min, *max).unwrap_or_default(),
        Range::Number(Some(min), Some(max)) if !min.exclusive && !max.exclusive => {
            format!("from {} to {}", min.value, max.value)
        }
        Range::Number(min, max) => {
            let end = |b: &Option<Bound>, below: &str, at_most: &str| {
                b.as_ref().map(|b| format!("{} {}", if b.exclusive { below } else { at_most }, b.value))
            };
            let ends: Vec<String> = [end(min, "greater than", "at least"), end(max, "less than", "at most")]
                .into_iter()
                .flatten()
                .collect();
            ends.join(" and ")
        }
    }
}

/// A [`span`] of a countable `noun`: `at least 1 character`, `from 1 to 10 items`.
fn counted(min: Option<u64>, max: Option<u64>, noun: &str) -> Option<String> {
    let span = span(min, max)?;
    let plural = if max.or(min) == Some(1) { "" } else { "s" };
    Some(format!("{span} {noun}{plural}"))
}

/// `from a to b`, `exactly a`, `at least a` or `at most b`.
fn span<T: std::fmt::Display + PartialEq>(min: Option<T>, max: Option<T>) -> Option<String> {
    match (min, max) {
        (Some(min), Some(max)) if min == max => Some(format!("exactly {min}")),
        (Some(min), Some(max)) => Some(format!("from {min} to {max}")),
        (Some(min), None) => Some(format!("at least {min}")),
        (None, Some(max)) => Some(format!("at most {max}")),
        (None, None) => None,
    }
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraints_read_as_one_sentence() {
        let doc = serde_json::json!({});
        let text = |schema: serde_json::Value, ty: TypeRef| constraints(&Constraints::of(&doc, &schema), &ty, "Must");
        let int = TypeRef::Integer { bits: 64 };
        assert_eq!(
            text(serde_json::json!({"minimum": 1, "maximum": 500}), int.clone()).unwrap(),
            "Must be from 1 to 500."
        );
        assert_eq!(text(serde_json::json!({"minimum": 0}), int).unwrap(), "Must be at least 0.");
        let one = serde_json::json!({"minLength": 1, "maxItems": 1});
        assert_eq!(text(one, TypeRef::String).unwrap(), "Must be at least 1 character long and have at most 1 item.");
        let number = serde_json::json!({"minimum": 0, "exclusiveMinimum": true, "maximum": 1.5});
        assert_eq!(text(number, TypeRef::Number).unwrap(), "Must be greater than 0 and at most 1.5.");
        let string = serde_json::json!({"minLength": 3, "maxLength": 9, "pattern": "^a_`b`$"});
        assert_eq!(
            text(string, TypeRef::String).unwrap(),
            "Must be from 3 to 9 characters long and match ``^a_`b`$``."
        );
        let only_items = serde_json::json!({"items": {"pattern": "^[A-Z]+$"}});
        assert_eq!(
            text(only_items, TypeRef::Array(Box::new(TypeRef::String))).unwrap(),
            "Each item must match `^[A-Z]+$`."
        );
        let list = serde_json::json!({"minItems": 1, "maxItems": 10, "pattern": "x"});
        assert_eq!(
            text(list, TypeRef::Array(Box::new(TypeRef::String))).unwrap(),
            "Must have from 1 to 10 items and match `x`."
        );
        assert_eq!(text(serde_json::json!({"minimum": 1}), TypeRef::String), None);
        let codes = serde_json::json!({"maxItems": 3, "items": {"minLength": 2, "maxLength": 2}});
        assert_eq!(
            text(codes, TypeRef::Array(Box::new(TypeRef::String))).unwrap(),
            "Must have at most 3 items. Each item must be exactly 2 characters long."
        );
        let closed = serde_json::json!({"minimum": 0.5, "maximum": 2});
        assert_eq!(text(closed, TypeRef::Number).unwrap(), "Must be from 0.5 to 2.");
    }

    #[test]
    fn escapes_what_rustdoc_misreads() {
        assert_eq!(lines("See https://clerk.com/docs."), vec![" See <https://clerk.com/docs>."]);
        assert_eq!(lines("[link](https://x.y) and [note]"), vec![" [link](https://x.y) and \\[note\\]"]);
        assert_eq!(lines("a <user_id> b"), vec![" a &lt;user_id> b"]);
        assert_eq!(lines("[a] (https://x.y/z)"), vec![" \\[a\\] (<https://x.y/z>)"]);
        assert_eq!(lines("`[x] <y>` ok"), vec![" `[x] <y>` ok"]);
        assert_eq!(lines("```\nfn main() {}\n```"), vec![" ```text", " fn main() {}", " ```"]);
        assert_eq!(lines("\n    indented\n\n"), vec![" indented"]);
    }
}
