//! Generated test identities: Vietnamese names, 12-digit personal numbers, dates, addresses.
//! Every value is made up from a seed; none belongs to a real person.

use chrono::{Datelike, NaiveDate};
use rand_chacha::rand_core::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

pub(crate) struct Gen(ChaCha20Rng);

impl Gen {
    pub(crate) fn new(seed: u64) -> Self {
        Self(ChaCha20Rng::seed_from_u64(seed))
    }
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.0.next_u64() % n
        }
    }
    pub(crate) fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    pub(crate) fn digits(&mut self, n: usize) -> String {
        (0..n).map(|_| char::from(b'0' + self.below(10) as u8)).collect()
    }
    pub(crate) fn date(&mut self, from_year: i32, to_year: i32) -> NaiveDate {
        let year = from_year + self.below((to_year - from_year + 1) as u64) as i32;
        let ordinal = 1 + self.below(365) as u32;
        NaiveDate::from_yo_opt(year, ordinal).unwrap_or_default()
    }
}

const SURNAMES: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý", "Trương", "Đinh", "Lương", "Tạ",
];
const MIDDLE_MALE: &[&str] = &["Văn", "Hữu", "Đức", "Minh", "Quốc", "Gia", "Thành", "Công", "Xuân"];
const MIDDLE_FEMALE: &[&str] = &["Thị", "Ngọc", "Thanh", "Thu", "Bảo", "Mỹ", "Phương", "Khánh"];
const GIVEN_MALE: &[&str] = &[
    "An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hùng", "Khải", "Long", "Nam", "Phúc",
    "Quân", "Sơn", "Thắng", "Tuấn", "Việt", "Vinh",
];
const GIVEN_FEMALE: &[&str] = &[
    "Anh", "Châu", "Giang", "Hà", "Hạnh", "Hòa", "Hương", "Lan", "Linh", "Mai", "Nga", "Ngân",
    "Nhung", "Thảo", "Trang", "Tuyết", "Uyên", "Yến",
];
/// Province codes (first three digits of the personal number) with the province name.
const PROVINCES: &[(&str, &str)] = &[
    ("001", "Thành phố Hà Nội"),
    ("079", "Thành phố Hồ Chí Minh"),
    ("048", "Thành phố Đà Nẵng"),
    ("031", "Thành phố Hải Phòng"),
    ("092", "Thành phố Cần Thơ"),
    ("036", "Tỉnh Nam Định"),
    ("040", "Tỉnh Nghệ An"),
    ("038", "Tỉnh Thanh Hóa"),
    ("075", "Tỉnh Đồng Nai"),
    ("089", "Tỉnh An Giang"),
];
const DISTRICTS: &[&str] = &[
    "Quận Ba Đình", "Quận Cầu Giấy", "Huyện Gia Lâm", "Quận 3", "Thành phố Thủ Đức",
    "Huyện Hòa Vang", "Quận Lê Chân", "Huyện Phong Điền", "Huyện Hải Hậu", "Thị xã Cửa Lò",
];
const WARDS: &[&str] = &[
    "Phường Điện Biên", "Phường Dịch Vọng Hậu", "Xã Bát Tràng", "Phường Võ Thị Sáu",
    "Phường Thảo Điền", "Xã Hòa Phước", "Phường Dư Hàng Kênh", "Xã Phong Điền",
    "Xã Hải Đông", "Phường Nghi Thủy",
];
const STREETS: &[&str] = &[
    "đường Hoàng Hoa Thám", "phố Trần Thái Tông", "đường Nguyễn Văn Cừ", "đường Lê Duẩn",
    "đường Trần Hưng Đạo", "đường 30 tháng 4", "phố Hàng Bạc",
];
const ETHNICITIES: &[&str] = &["Kinh", "Kinh", "Kinh", "Kinh", "Tày", "Thái", "Mường", "Khmer"];
const RELIGIONS: &[&str] = &["Không", "Không", "Không", "Phật giáo", "Công giáo"];
const FEATURES: &[&str] = &[
    "Nốt ruồi C:1cm trên trước mày phải",
    "Sẹo chấm C:2cm dưới sau mép trái",
    "Nốt ruồi C:1,5cm dưới trước cánh mũi trái",
];

pub(crate) fn full_name(g: &mut Gen, female: bool) -> String {
    let (middle, given) =
        if female { (MIDDLE_FEMALE, GIVEN_FEMALE) } else { (MIDDLE_MALE, GIVEN_MALE) };
    let first_middle = g.pick(middle);
    let mut name = format!("{} {first_middle}", g.pick(SURNAMES));
    if g.chance(20) {
        let second = g.pick(middle);
        if second != first_middle {
            name.push(' ');
            name.push_str(second);
        }
    }
    name.push(' ');
    name.push_str(g.pick(given));
    name
}

/// Returns (province code, province name).
pub(crate) fn province(g: &mut Gen) -> (&'static str, &'static str) {
    PROVINCES[g.below(PROVINCES.len() as u64) as usize]
}

/// A 12-digit personal number: province (3) + century/sex (1) + year (2) + 6 digits.
pub(crate) fn personal_number(g: &mut Gen, province: &str, dob: NaiveDate, female: bool) -> String {
    let century = if dob.year() >= 2000 { 2 } else { 0 } + u8::from(female);
    format!("{province}{century}{:02}{}", dob.year() % 100, g.digits(6))
}

/// An address; `long` adds hamlet and group levels (residence lines over 100 characters).
pub(crate) fn address(g: &mut Gen, province: &str, long: bool) -> String {
    let mut parts = Vec::new();
    if long {
        parts.push(format!("Số nhà {}, ngách {}/{}", 1 + g.below(200), 1 + g.below(90), 1 + g.below(60)));
        parts.push(format!("ngõ {} {}", 1 + g.below(400), g.pick(STREETS)));
        parts.push(format!("Tổ dân phố số {}", 1 + g.below(30)));
        parts.push(format!("Khu dân cư {}", g.pick(&["Đông", "Tây", "Nam", "Bắc", "Trung Tâm"])));
    } else {
        parts.push(format!("Số {} {}", 1 + g.below(300), g.pick(STREETS)));
    }
    parts.push(g.pick(WARDS).to_owned());
    parts.push(g.pick(DISTRICTS).to_owned());
    parts.push(province.to_owned());
    parts.join(", ")
}

pub(crate) fn ethnicity(g: &mut Gen) -> &'static str {
    g.pick(ETHNICITIES)
}
pub(crate) fn religion(g: &mut Gen) -> &'static str {
    g.pick(RELIGIONS)
}
pub(crate) fn features(g: &mut Gen) -> &'static str {
    g.pick(FEATURES)
}

/// Latin capitals for the MRZ: diacritics dropped, Đ → D, anything else → `<`.
pub fn mrz_name_chars(s: &str) -> String {
    s.chars()
        .map(|c| {
            let base = fold_vietnamese(c);
            if base.is_ascii_alphabetic() {
                base.to_ascii_uppercase()
            } else {
                '<'
            }
        })
        .collect()
}

fn fold_vietnamese(c: char) -> char {
    const GROUPS: &[(char, &str)] = &[
        ('a', "àáảãạăằắẳẵặâầấẩẫậ"),
        ('A', "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ"),
        ('e', "èéẻẽẹêềếểễệ"),
        ('E', "ÈÉẺẼẸÊỀẾỂỄỆ"),
        ('i', "ìíỉĩị"),
        ('I', "ÌÍỈĨỊ"),
        ('o', "òóỏõọôồốổỗộơờớởỡợ"),
        ('O', "ÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ"),
        ('u', "ùúủũụưừứửữự"),
        ('U', "ÙÚỦŨỤƯỪỨỬỮỰ"),
        ('y', "ỳýỷỹỵ"),
        ('Y', "ỲÝỶỸỴ"),
        ('d', "đ"),
        ('D', "Đ"),
    ];
    GROUPS.iter().find(|(_, set)| set.contains(c)).map_or(c, |(base, _)| *base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mrz_names_are_folded() {
        assert_eq!(mrz_name_chars("Đặng Thị Ngọc Ánh"), "DANG<THI<NGOC<ANH");
        assert_eq!(mrz_name_chars("Nguyễn Văn Ưng"), "NGUYEN<VAN<UNG");
    }

    #[test]
    fn personal_number_encodes_province_century_and_sex() {
        let mut g = Gen::new(3);
        let dob = NaiveDate::from_ymd_opt(2003, 5, 1).unwrap_or_default();
        let id = personal_number(&mut g, "079", dob, true);
        assert_eq!(id.len(), 12);
        assert!(id.starts_with("079303"), "{id}");
        let dob = NaiveDate::from_ymd_opt(1968, 5, 1).unwrap_or_default();
        assert!(personal_number(&mut g, "001", dob, false).starts_with("001068"));
    }
}
