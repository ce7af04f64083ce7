use chrono::NaiveDate;
use reader::AccessKey;

/// What the clerk (or the QR code) gave to open the chip.
#[derive(Debug, Clone, Default)]
pub struct KeyInput {
    /// The 6-digit CAN printed on the card.
    pub can: Option<String>,
    /// `DOC9,YYMMDD,YYMMDD`: document number, date of birth, date of expiry.
    pub mrz: Option<String>,
    /// The 12-digit ID number, with the dates below when known.
    pub id_number: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub issue_date: Option<NaiveDate>,
}

/// Why no access key could be formed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("no access key given")]
    Missing,
    #[error("CAN must be 6 digits")]
    BadCan,
    #[error("MRZ key must be DOC9,YYMMDD,YYMMDD")]
    BadMrz,
    #[error("invalid ID number: {0}")]
    BadId(String),
}

impl KeyError {
    pub fn code(&self) -> &'static str {
        match self {
            KeyError::Missing => "access_key_missing",
            KeyError::BadCan => "invalid_can",
            KeyError::BadMrz => "invalid_mrz",
            KeyError::BadId(_) => "invalid_id_number",
        }
    }

    pub fn message_vi(&self) -> &'static str {
        match self {
            KeyError::Missing => {
                "Chưa có mã để mở chip. Hãy quét mã QR trên thẻ hoặc nhập 6 số CAN in trên mặt trước thẻ."
            }
            KeyError::BadCan => "Mã CAN phải gồm đúng 6 chữ số in trên mặt trước thẻ. Hãy nhập lại.",
            KeyError::BadMrz => {
                "Thông tin MRZ phải có dạng SỐTHẺ9SỐ,YYMMDD,YYMMDD (số thẻ, ngày sinh, ngày hết hạn). Hãy nhập lại."
            }
            KeyError::BadId(_) => {
                "Số định danh cá nhân phải gồm 12 chữ số hợp lệ. Hãy kiểm tra lại số trên thẻ."
            }
        }
    }
}

fn is_yymmdd(s: &str) -> bool {
    s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The keys to try, best first: the CAN as given; an MRZ key as given; from an ID number, its
/// CAN (the last 6 digits) and then, with both dates, the MRZ keys the expiry rule allows.
pub fn access_keys(input: &KeyInput) -> Result<Vec<AccessKey>, KeyError> {
    let mut keys = Vec::new();
    if let Some(can) = &input.can {
        let can = can.trim();
        if can.len() != 6 || !can.bytes().all(|b| b.is_ascii_digit()) {
            return Err(KeyError::BadCan);
        }
        keys.push(AccessKey::Can(can.to_owned()));
    }
    if let Some(mrz) = &input.mrz {
        let parts: Vec<&str> = mrz.split(',').map(str::trim).collect();
        match parts.as_slice() {
            [doc, dob, doe]
                if !doc.is_empty()
                    && doc.len() <= 22
                    && doc.bytes().all(|b| b.is_ascii_alphanumeric())
                    && is_yymmdd(dob)
                    && is_yymmdd(doe) =>
            {
                keys.push(AccessKey::Mrz {
                    document_number: doc.to_ascii_uppercase(),
                    date_of_birth: (*dob).to_owned(),
                    date_of_expiry: (*doe).to_owned(),
                });
            }
            _ => return Err(KeyError::BadMrz),
        }
    }
    if let Some(id) = &input.id_number {
        let can = cccd::can_from_id(id).map_err(|e| KeyError::BadId(e.to_string()))?;
        if !keys.iter().any(|k| matches!(k, AccessKey::Can(c) if *c == can)) {
            keys.push(AccessKey::Can(can));
        }
        if let (Some(dob), Some(issued)) = (input.date_of_birth, input.issue_date) {
            let candidates = cccd::mrz_key_candidates(id, dob, issued)
                .map_err(|e| KeyError::BadId(e.to_string()))?;
            keys.extend(candidates.into_iter().map(|k| AccessKey::Mrz {
                document_number: k.document_number,
                date_of_birth: k.date_of_birth,
                date_of_expiry: k.date_of_expiry,
            }));
        }
    }
    if keys.is_empty() {
        return Err(KeyError::Missing);
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn can_and_mrz_are_validated() {
        assert_eq!(access_keys(&KeyInput::default()).unwrap_err(), KeyError::Missing);
        let bad = KeyInput { can: Some("12345".into()), ..Default::default() };
        assert_eq!(access_keys(&bad).unwrap_err(), KeyError::BadCan);
        let bad = KeyInput { mrz: Some("123456789,900101".into()), ..Default::default() };
        assert_eq!(access_keys(&bad).unwrap_err(), KeyError::BadMrz);
        let ok = KeyInput {
            can: Some(" 123456 ".into()),
            mrz: Some("123456789,900101,991231".into()),
            ..Default::default()
        };
        let keys = access_keys(&ok).unwrap();
        assert!(matches!(&keys[0], AccessKey::Can(c) if c == "123456"));
        assert!(matches!(&keys[1], AccessKey::Mrz { document_number, date_of_expiry, .. }
            if document_number == "123456789" && date_of_expiry == "991231"));
    }

    #[test]
    fn id_number_gives_its_can_then_mrz_candidates() {
        // Born 1990-03-15 (male, 20th century: digit 0), issued 2021-06-01: valid to age 40.
        let input = KeyInput {
            id_number: Some("001090123456".into()),
            date_of_birth: Some(d(1990, 3, 15)),
            issue_date: Some(d(2021, 6, 1)),
            ..Default::default()
        };
        let keys = access_keys(&input).unwrap();
        assert!(matches!(&keys[0], AccessKey::Can(c) if c == "123456"));
        assert!(keys.iter().any(|k| matches!(k, AccessKey::Mrz { document_number, date_of_birth, date_of_expiry }
            if document_number == "090123456" && date_of_birth == "900315" && date_of_expiry == "300315")),
            "{keys:?}");
        let bad = KeyInput { id_number: Some("12ab".into()), ..Default::default() };
        assert!(matches!(access_keys(&bad), Err(KeyError::BadId(_))));
    }
}
