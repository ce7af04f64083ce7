//! Damage done to Vietnamese text by keyboard-wedge scanners: mojibake (UTF-8 bytes read as
//! Windows-1252 / Latin-1, repairable), '?' replacements and Telex IME residues (not repairable).

/// Windows-1252 bytes 0x80..=0x9F and the characters they decode to. Undefined bytes
/// (0x81, 0x8D, 0x8F, 0x90, 0x9D) decode to the C1 control of the same value on Windows.
const CP1252_HIGH: [(u8, char); 27] = [
    (0x80, '\u{20AC}'),
    (0x82, '\u{201A}'),
    (0x83, '\u{0192}'),
    (0x84, '\u{201E}'),
    (0x85, '\u{2026}'),
    (0x86, '\u{2020}'),
    (0x87, '\u{2021}'),
    (0x88, '\u{02C6}'),
    (0x89, '\u{2030}'),
    (0x8A, '\u{0160}'),
    (0x8B, '\u{2039}'),
    (0x8C, '\u{0152}'),
    (0x8E, '\u{017D}'),
    (0x91, '\u{2018}'),
    (0x92, '\u{2019}'),
    (0x93, '\u{201C}'),
    (0x94, '\u{201D}'),
    (0x95, '\u{2022}'),
    (0x96, '\u{2013}'),
    (0x97, '\u{2014}'),
    (0x98, '\u{02DC}'),
    (0x99, '\u{2122}'),
    (0x9A, '\u{0161}'),
    (0x9B, '\u{203A}'),
    (0x9C, '\u{0153}'),
    (0x9E, '\u{017E}'),
    (0x9F, '\u{0178}'),
];

fn cp1252_byte(c: char) -> Option<u8> {
    let u = c as u32;
    if u < 0x100 {
        // ASCII, Latin-1, and C1 controls standing for undefined CP1252 bytes / Latin-1 reads.
        return u8::try_from(u).ok();
    }
    CP1252_HIGH.iter().find(|(_, ch)| *ch == c).map(|(b, _)| *b)
}

/// If `s` is UTF-8 text that was decoded as Windows-1252 (or Latin-1), returns the original.
/// Unambiguous: genuine Vietnamese either contains characters outside Windows-1252 (ộ, ư, đ…) or,
/// re-encoded, is not valid multi-byte UTF-8. Applied at most twice (double mojibake).
pub fn repair_mojibake(s: &str) -> Option<String> {
    let mut current = s.to_owned();
    let mut changed = false;
    for _ in 0..2 {
        if current.is_ascii() {
            break;
        }
        let bytes: Option<Vec<u8>> = current.chars().map(cp1252_byte).collect();
        let Some(bytes) = bytes else { break };
        let Ok(decoded) = String::from_utf8(bytes) else {
            break;
        };
        if decoded == current {
            break;
        }
        current = decoded;
        changed = true;
    }
    changed.then_some(current)
}

/// Mojibake markers left after a failed repair (e.g. an undefined byte got lost on the way).
pub fn looks_like_mojibake(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    chars.iter().enumerate().any(|(i, &c)| {
        let next = chars.get(i + 1).copied();
        let next_is_continuation = next.is_some_and(|n| {
            (('\u{80}'..='\u{BF}').contains(&n)) || CP1252_HIGH.iter().any(|(_, ch)| *ch == n)
        });
        match c {
            'Ä' | 'Æ' | 'Å' => true,
            'á' | 'Ã' | 'Â' | 'Ê' | 'Ð' => next_is_continuation,
            '\u{80}'..='\u{9F}' => true,
            _ => false,
        }
    })
}

/// '?' or U+FFFD where a Vietnamese letter was.
pub fn has_replacement(s: &str) -> bool {
    s.contains('?') || s.contains('\u{FFFD}')
}

/// The first word that is Telex keystrokes rather than Vietnamese ("Nguyeenx", "Thij", "Vawn").
/// Strong signs: "dd", a doubled vowel (aa/ee/oo) or any 'w' (Vietnamese has none of them).
/// Weak sign: a word ending in a tone key s/f/r/x/j (no Vietnamese syllable does); f/x/j count as
/// strong, s/r (found in names like "Ksor" or streets like "Pasteur") only when the whole field is
/// ASCII and at least two words have them.
pub fn telex_residue(s: &str) -> Option<String> {
    let words: Vec<&str> = s
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| w.len() >= 2 && w.chars().all(|c| c.is_ascii_alphabetic()))
        .collect();
    let mut weak = Vec::new();
    for w in &words {
        let l = w.to_ascii_lowercase();
        let strong_inside = l.contains("dd")
            || l.contains("aa")
            || l.contains("ee")
            || l.contains("oo")
            || l.contains('w');
        let last = l.chars().last().unwrap_or(' ');
        if strong_inside || matches!(last, 'f' | 'x' | 'j') {
            return Some((*w).to_owned());
        }
        if matches!(last, 's' | 'r') {
            weak.push(*w);
        }
    }
    if s.is_ascii() && weak.len() >= 2 {
        return weak.first().map(|w| (*w).to_owned());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repairs_cp1252_mojibake() {
        assert_eq!(repair_mojibake("Nguyá»…n").as_deref(), Some("Nguyễn"));
        for s in ["Trần Thị Hà", "Đặng Ngọc Ưng", "Phường Bến Nghé, Quận 1"] {
            let m = to_mojibake(s);
            assert_ne!(m, s);
            assert_eq!(repair_mojibake(&m).as_deref(), Some(s));
            assert!(looks_like_mojibake(&m), "{m}");
            // Double mojibake as well.
            assert_eq!(repair_mojibake(&to_mojibake(&m)).as_deref(), Some(s));
        }
    }

    pub(crate) fn to_mojibake(s: &str) -> String {
        s.bytes()
            .map(|b| {
                CP1252_HIGH
                    .iter()
                    .find(|(x, _)| *x == b)
                    .map_or(char::from(b), |(_, c)| *c)
            })
            .collect()
    }

    #[test]
    fn leaves_genuine_vietnamese_alone() {
        for s in [
            "Nguyễn Văn An",
            "Tâm",
            "Hà Nội",
            "Bà Rịa",
            "NGÃ",
            "Lê Thị Ánh",
        ] {
            assert_eq!(repair_mojibake(s), None, "{s}");
            assert!(!looks_like_mojibake(s), "{s}");
        }
    }

    #[test]
    fn telex() {
        assert_eq!(
            telex_residue("Nguyeenx Vawn An").as_deref(),
            Some("Nguyeenx")
        );
        assert_eq!(telex_residue("Tran Thij Haf").as_deref(), Some("Thij"));
        assert_eq!(telex_residue("Ksor H'Bia"), None);
        assert_eq!(telex_residue("Nguyen Van An"), None);
        assert_eq!(
            telex_residue("Số 1 Alexandre de Rhodes, Phường Bến Nghé"),
            None
        );
    }
}
