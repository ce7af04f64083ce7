//! Diacritic folding for Vietnamese: "Hà Nội" → "ha noi", "Đắk Lắk" → "dak lak".

/// Lower-cases and strips Vietnamese diacritics (precomposed or combining), maps đ → d.
/// Other characters are kept; runs of whitespace are not touched.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if ('\u{0300}'..='\u{036F}').contains(&c) {
            continue; // combining marks (NFD input)
        }
        for l in c.to_lowercase() {
            out.push(fold_char(l));
        }
    }
    out
}

fn fold_char(c: char) -> char {
    const GROUPS: [(char, &str); 6] = [
        ('a', "àáảãạăằắẳẵặâầấẩẫậ"),
        ('e', "èéẻẽẹêềếểễệ"),
        ('i', "ìíỉĩị"),
        ('o', "òóỏõọôồốổỗộơờớởỡợ"),
        ('u', "ùúủũụưừứửữự"),
        ('y', "ỳýỷỹỵ"),
    ];
    if c.is_ascii() {
        return c;
    }
    if c == 'đ' {
        return 'd';
    }
    for (base, set) in GROUPS {
        if set.contains(c) {
            return base;
        }
    }
    c
}

/// Folds and splits into alphanumeric words.
pub fn words(s: &str) -> Vec<String> {
    fold(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Folded, with every non-alphanumeric character removed: "Kim Mã" → "kimma".
pub fn key(s: &str) -> String {
    fold(s).chars().filter(|c| c.is_alphanumeric()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_vietnamese() {
        assert_eq!(fold("Đăng ký KẾT HÔN"), "dang ky ket hon");
        assert_eq!(fold("Lý lịch tư pháp"), "ly lich tu phap");
        assert_eq!(fold("Đắk Lắk"), "dak lak");
        // NFD: "a" + combining grave
        assert_eq!(fold("Ha\u{0300} No\u{0302}\u{0323}i"), "ha noi");
        assert_eq!(key("Phường Kim Mã"), "phuongkimma");
        assert_eq!(words("Số 12, ngõ 5"), vec!["so", "12", "ngo", "5"]);
    }
}
