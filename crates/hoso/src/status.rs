//! The allowed status graph of a hồ sơ.
//!
//! ```text
//! received ──► needs_supplement ──► received (clock resumes; due date recomputed)
//!    │  │              └──────────► rejected | cancelled
//!    │  └──► rejected | cancelled
//!    └──► in_progress ──► result_ready ──► returned
//!              ├──► needs_supplement
//!              └──► cancelled
//! ```
//! `rejected`, `returned` and `cancelled` are final.

pub use store::HoSoStatus;

/// Whether `from → to` is allowed.
pub fn allowed(from: HoSoStatus, to: HoSoStatus) -> bool {
    use HoSoStatus::*;
    matches!(
        (from, to),
        (
            Received,
            NeedsSupplement | Rejected | InProgress | Cancelled
        ) | (NeedsSupplement, Received | Rejected | Cancelled)
            | (InProgress, ResultReady | NeedsSupplement | Cancelled)
            | (ResultReady, Returned)
    )
}

/// Final statuses.
pub fn is_final(s: HoSoStatus) -> bool {
    matches!(
        s,
        HoSoStatus::Rejected | HoSoStatus::Returned | HoSoStatus::Cancelled
    )
}

/// Vietnamese label.
pub fn label_vi(s: HoSoStatus) -> &'static str {
    match s {
        HoSoStatus::Received => "Đã tiếp nhận",
        HoSoStatus::NeedsSupplement => "Chờ bổ sung, hoàn thiện",
        HoSoStatus::Rejected => "Từ chối",
        HoSoStatus::InProgress => "Đang giải quyết",
        HoSoStatus::ResultReady => "Đã có kết quả",
        HoSoStatus::Returned => "Đã trả kết quả",
        HoSoStatus::Cancelled => "Đã hủy / rút hồ sơ",
    }
}

pub(crate) fn label_vi_str(s: &str) -> &str {
    match HoSoStatus::parse(s) {
        Some(st) => label_vi(st),
        None => s,
    }
}

pub(crate) fn all_names() -> Vec<&'static str> {
    HoSoStatus::ALL.iter().map(|s| s.as_str()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph() {
        use HoSoStatus::*;
        assert!(allowed(Received, NeedsSupplement));
        assert!(allowed(NeedsSupplement, Received));
        assert!(allowed(Received, InProgress));
        assert!(allowed(InProgress, ResultReady));
        assert!(allowed(ResultReady, Returned));
        assert!(!allowed(Received, Returned));
        assert!(!allowed(Received, ResultReady));
        assert!(!allowed(NeedsSupplement, InProgress));
        for s in HoSoStatus::ALL {
            assert!(!allowed(s, s), "{s:?} → itself");
            if is_final(s) {
                for t in HoSoStatus::ALL {
                    assert!(!allowed(s, t), "{s:?} is final but → {t:?}");
                }
            }
        }
    }
}
