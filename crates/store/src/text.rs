//! Search folding for Vietnamese names: lower case, diacritics removed, đ/Đ to d, single spaces.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// "  Nguyễn  Văn Đức " -> "nguyen van duc".
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        let c = match c {
            // Đ (U+0110) and the look-alike Ð (U+00D0) that some keyboards type.
            'đ' | 'Đ' | 'ð' | 'Ð' => 'd',
            c if c.is_whitespace() => ' ',
            c => c,
        };
        if c == ' ' {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folds_vietnamese() {
        assert_eq!(fold("Nguyễn Văn An"), "nguyen van an");
        assert_eq!(fold("  ĐẶNG   Thị  Ðào "), "dang thi dao");
        assert_eq!(fold("Đỗ Đức Được"), "do duc duoc");
        assert_eq!(fold("Lê Thị Hồng Nhung"), "le thi hong nhung");
        assert_eq!(fold("Phạm Ngọc Ánh"), "pham ngoc anh");
        assert_eq!(fold(""), "");
    }

    #[test]
    fn precomposed_and_decomposed_agree() {
        let nfc = "Trần Thị Ưng";
        let nfd: String = unicode_normalization::UnicodeNormalization::nfd(nfc).collect();
        assert_ne!(nfc, nfd);
        assert_eq!(fold(nfc), fold(&nfd));
        assert_eq!(fold(nfc), "tran thi ung");
    }
}
