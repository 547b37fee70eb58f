//! Output text for terminals and logs: long messages broken at spaces so that no line is
//! longer than [`MAX_LINE`] characters (a single word longer than that, such as a long
//! path, keeps its own line).

/// The longest line the CLI prints, in characters.
pub const MAX_LINE: usize = 160;

/// `text` broken at spaces into lines of at most [`MAX_LINE`] characters; its leading
/// spaces are kept and continuation lines are indented by `indent`. Existing line breaks
/// are kept.
pub fn wrap(text: &str, indent: &str) -> String {
    text.split('\n')
        .map(|l| wrap_line(l, indent))
        .collect::<Vec<_>>()
        .join("\n")
}

fn wrap_line(text: &str, indent: &str) -> String {
    let body = text.trim_start();
    let mut out = String::new();
    let mut line = text[..text.len() - body.len()].to_string();
    let mut len = line.chars().count();
    let mut fresh = true;
    for word in body.split(' ') {
        let n = word.chars().count();
        if !fresh && len + 1 + n > MAX_LINE {
            out.push_str(&line);
            out.push('\n');
            line = indent.to_string();
            len = indent.chars().count();
            fresh = true;
        }
        if !fresh {
            line.push(' ');
            len += 1;
        }
        line.push_str(word);
        len += n;
        fresh = false;
    }
    out.push_str(&line);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_stay_within_the_limit_and_keep_every_word() {
        let words: Vec<String> = (0..300).map(|i| format!("w{i}é")).collect();
        let text = format!("  {}", words.join(" "));
        let wrapped = wrap(&text, "    ");
        for line in wrapped.lines() {
            assert!(line.chars().count() <= MAX_LINE, "{line}");
        }
        assert!(wrapped.starts_with("  w0é w1é"));
        let back: Vec<&str> = wrapped.split_whitespace().collect();
        assert_eq!(back, words.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(wrap("short\nlines", "  "), "short\nlines");
        let long = "x".repeat(200);
        assert_eq!(wrap(&format!("a {long} b"), "  "), format!("a\n  {long}\n  b"));
    }
}
