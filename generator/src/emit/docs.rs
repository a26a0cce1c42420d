//! Turns spec descriptions (CommonMark with some HTML) into rustdoc that `cargo doc`
//! accepts without warnings and that never runs as a doctest.

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

#[cfg(test)]
mod tests {
    use super::*;

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
