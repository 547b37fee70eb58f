//! The few facts shown about an embedded ICC profile, read from its header and its `desc`
//! (profile description) tag: ICC.1 v2 `textDescriptionType` (`desc`: the ASCII text, else
//! its Unicode part) and v4 `multiLocalizedUnicodeType` (`mluc`: the first English record,
//! else the first record). Every read is bounds-checked: a malformed profile gives `None`
//! fields, never a panic. The profile bytes themselves are carried unchanged; nothing here
//! edits them.

/// What a profile says about itself.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct IccSummary {
    /// Profile size in bytes (the length of the carried bytes).
    pub bytes: usize,
    /// The `desc` tag's text (control characters replaced by U+FFFD, surrounding spaces and
    /// NULs trimmed); `None` when absent, empty or unreadable.
    pub description: Option<String>,
    /// The data colour space signature (`RGB`, `GRAY`, `CMYK`, …), trailing spaces trimmed.
    pub color_space: Option<String>,
    /// The profile version, `major.minor` (header bytes 8 and 9).
    pub version: Option<String>,
}

/// Tags looked at, at most: real profiles have a few dozen.
const MAX_TAGS: usize = 1024;

fn be32(d: &[u8], at: usize) -> Option<u32> {
    let b = d.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

fn be32_usize(d: &[u8], at: usize) -> Option<usize> {
    be32(d, at).and_then(|v| usize::try_from(v).ok())
}

/// `len` bytes of `d` from `at`, when they are all inside.
fn span(d: &[u8], at: usize, len: usize) -> Option<&[u8]> {
    d.get(at..at.checked_add(len)?)
}

fn signature(d: &[u8], at: usize) -> Option<String> {
    let b = span(d, at, 4)?;
    let s: String = b.iter().map(|&c| c as char).collect();
    let s = s.trim_end().to_string();
    (!s.is_empty() && s.chars().all(|c| c.is_ascii_graphic())).then_some(s)
}

/// Reads the summary of `profile`.
pub fn summarize(profile: &[u8]) -> IccSummary {
    IccSummary {
        bytes: profile.len(),
        description: description(profile),
        color_space: signature(profile, 16),
        version: profile.get(8..10).map(|v| format!("{}.{}", v[0], v[1] >> 4)),
    }
}

/// The bytes of the tag with signature `sig`, from the tag table after the 128-byte header.
fn tag<'a>(p: &'a [u8], sig: &[u8; 4]) -> Option<&'a [u8]> {
    let count = be32_usize(p, 128)?.min(MAX_TAGS);
    (0..count).find_map(|i| {
        let at = 132 + i * 12;
        if span(p, at, 4)? != sig {
            return None;
        }
        span(p, be32_usize(p, at + 4)?, be32_usize(p, at + 8)?)
    })
}

/// The text of the profile description (`desc`) tag.
pub fn description(profile: &[u8]) -> Option<String> {
    let t = tag(profile, b"desc")?;
    let text = match span(t, 0, 4)? {
        b"desc" => text_description(t)?,
        b"mluc" => multi_localized(t)?,
        _ => return None,
    };
    let clean: String = text
        .trim_matches(|c: char| c == '\0' || c.is_whitespace())
        .chars()
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect();
    (!clean.is_empty()).then_some(clean)
}

/// `textDescriptionType`: ASCII count (with its NUL) and text at 8, then the Unicode part
/// (language code, count of UTF-16 units, text), used when the ASCII text is empty.
fn text_description(t: &[u8]) -> Option<String> {
    let n = be32_usize(t, 8)?;
    let ascii = span(t, 12, n)?;
    let end = ascii.iter().position(|&c| c == 0).unwrap_or(ascii.len());
    let text = String::from_utf8_lossy(&ascii[..end]).into_owned();
    if !text.trim().is_empty() {
        return Some(text);
    }
    let at = 12 + n;
    let units = be32_usize(t, at + 4)?;
    utf16(span(t, at + 8, units.checked_mul(2)?)?)
}

/// `multiLocalizedUnicodeType`: record count at 8, record size at 12, records from 16 (language,
/// country, length in bytes, offset from the tag's start); the first `en` record, else the
/// first.
fn multi_localized(t: &[u8]) -> Option<String> {
    let records = be32_usize(t, 8)?.min(MAX_TAGS);
    let size = be32_usize(t, 12)?;
    if size < 12 {
        return None;
    }
    let record = |i: usize| -> Option<(&[u8], &[u8])> {
        let at = 16usize.checked_add(i.checked_mul(size)?)?;
        let r = span(t, at, 12)?;
        Some((&r[0..2], span(t, be32_usize(r, 8)?, be32_usize(r, 4)?)?))
    };
    let all: Vec<(&[u8], &[u8])> = (0..records).map_while(record).collect();
    let (_, text) = all.iter().find(|(lang, _)| *lang == b"en").or_else(|| all.first())?;
    utf16(text)
}

/// UTF-16BE bytes as text (unpaired surrogates replaced; an odd last byte ignored).
fn utf16(b: &[u8]) -> Option<String> {
    let units: Vec<u16> = b.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
    Some(String::from_utf16_lossy(&units))
}

/// A minimal ICC profile header and tag table holding one `desc` tag with the given tag bytes:
/// what the tests and the fuzz seeds build profiles from.
pub fn with_desc_tag(desc: &[u8], major: u8, color_space: &[u8; 4]) -> Vec<u8> {
    let mut p = vec![0u8; 128];
    p[8] = major;
    p[9] = 0x10;
    p[12..16].copy_from_slice(b"mntr");
    p[16..20].copy_from_slice(color_space);
    p[20..24].copy_from_slice(b"XYZ ");
    p[36..40].copy_from_slice(b"acsp");
    p.extend_from_slice(&1u32.to_be_bytes());
    p.extend_from_slice(b"desc");
    p.extend_from_slice(&144u32.to_be_bytes());
    p.extend_from_slice(&(desc.len() as u32).to_be_bytes());
    p.extend_from_slice(desc);
    while p.len() % 4 != 0 {
        p.push(0);
    }
    let len = p.len() as u32;
    p[0..4].copy_from_slice(&len.to_be_bytes());
    p
}

/// A v2 `textDescriptionType` tag holding `text` (ASCII part, empty Unicode and ScriptCode
/// parts).
pub fn text_description_tag(text: &str) -> Vec<u8> {
    let mut t = b"desc\0\0\0\0".to_vec();
    t.extend_from_slice(&(text.len() as u32 + 1).to_be_bytes());
    t.extend_from_slice(text.as_bytes());
    t.push(0);
    t.extend_from_slice(&[0; 8]); // Unicode language code and count
    t.extend_from_slice(&[0; 3 + 67]); // ScriptCode code, count and its fixed 67 bytes
    t
}

/// A v4 `multiLocalizedUnicodeType` tag with one record per `(language, country, text)`.
pub fn multi_localized_tag(records: &[(&[u8; 2], &[u8; 2], &str)]) -> Vec<u8> {
    let mut t = b"mluc\0\0\0\0".to_vec();
    t.extend_from_slice(&(records.len() as u32).to_be_bytes());
    t.extend_from_slice(&12u32.to_be_bytes());
    let texts: Vec<Vec<u8>> = records
        .iter()
        .map(|(_, _, s)| s.encode_utf16().flat_map(u16::to_be_bytes).collect())
        .collect();
    let mut at = 16 + 12 * records.len();
    for ((lang, country, _), text) in records.iter().zip(&texts) {
        t.extend_from_slice(*lang);
        t.extend_from_slice(*country);
        t.extend_from_slice(&(text.len() as u32).to_be_bytes());
        t.extend_from_slice(&(at as u32).to_be_bytes());
        at += text.len();
    }
    texts.iter().for_each(|s| t.extend_from_slice(s));
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_v2_and_v4_descriptions() {
        let s = summarize(&with_desc_tag(&text_description_tag("sRGB IEC61966-2.1"), 2, b"RGB "));
        assert_eq!(s.description.as_deref(), Some("sRGB IEC61966-2.1"));
        assert_eq!(
            (s.color_space.as_deref(), s.version.as_deref()),
            (Some("RGB"), Some("2.1"))
        );
        let v4 = multi_localized_tag(&[(b"de", b"DE", "Anzeige P3"), (b"en", b"US", "Display P3")]);
        let s = summarize(&with_desc_tag(&v4, 4, b"RGB "));
        assert_eq!(s.description.as_deref(), Some("Display P3"));
        let v4 = multi_localized_tag(&[(b"fr", b"FR", "Écran ✓")]);
        assert_eq!(description(&with_desc_tag(&v4, 4, b"GRAY")).as_deref(), Some("Écran ✓"));
    }

    #[test]
    fn v2_falls_back_to_its_unicode_part_and_controls_are_replaced() {
        let mut t = b"desc\0\0\0\0".to_vec();
        t.extend_from_slice(&1u32.to_be_bytes());
        t.push(0);
        t.extend_from_slice(&0u32.to_be_bytes());
        t.extend_from_slice(&3u32.to_be_bytes());
        t.extend_from_slice(&[0, b'a', 0, 0x1B, 0, b'z']);
        assert_eq!(
            description(&with_desc_tag(&t, 2, b"RGB ")).as_deref(),
            Some("a\u{FFFD}z")
        );
    }

    #[test]
    fn corrupt_profiles_give_none_and_never_panic() {
        let p = with_desc_tag(&text_description_tag("sRGB"), 2, b"RGB ");
        let end = 144 + text_description_tag("sRGB").len();
        for n in 0..p.len() {
            assert_eq!(summarize(&p[..n]).description.is_some(), n >= end, "{n}");
        }
        let mut bad = p.clone();
        bad[136..140].copy_from_slice(&u32::MAX.to_be_bytes()); // tag offset
        assert_eq!(description(&bad), None);
        let mut bad = p.clone();
        bad[152..156].copy_from_slice(&u32::MAX.to_be_bytes()); // ASCII count
        assert_eq!(description(&bad), None);
        let mut v4 = multi_localized_tag(&[(b"en", b"US", "P3")]);
        v4[12..16].copy_from_slice(&0u32.to_be_bytes()); // record size 0
        assert_eq!(description(&with_desc_tag(&v4, 4, b"RGB ")), None);
        let mut v4 = multi_localized_tag(&[(b"en", b"US", "P3")]);
        v4[24..28].copy_from_slice(&u32::MAX.to_be_bytes()); // record offset
        assert_eq!(description(&with_desc_tag(&v4, 4, b"RGB ")), None);
        let mut v4 = multi_localized_tag(&[(b"en", b"US", "P3")]);
        v4[8..12].copy_from_slice(&u32::MAX.to_be_bytes()); // record count
        assert_eq!(description(&with_desc_tag(&v4, 4, b"RGB ")).as_deref(), Some("P3"));
        let mut t = b"XYZ ".to_vec();
        t.extend_from_slice(&[0; 16]);
        assert_eq!(description(&with_desc_tag(&t, 2, b"RGB ")), None);
        assert_eq!(summarize(&[]), IccSummary::default());
    }
}
