//! Delivery to the provincial system: a pluggable [`Delivery`], the HTTP implementation
//! ([`HttpDelivery`]: `multipart/form-data` with the PDF and its JSON metadata, an
//! `Idempotency-Key` header = the item id, so a re-delivery after a crash is not a duplicate)
//! and one delivery pass over the queue with exponential backoff ([`deliver_pass`]).
//!
//! Outcomes: 2xx → `delivered` with the receipt; 408/425/429/5xx, timeouts and dropped
//! connections → retried after a backoff (`Retry-After` honoured), and `failed` after
//! [`Policy::max_attempts`]; other 4xx → `failed` with the server's reason at once. A server
//! that cannot be reached at all (connection refused, unknown host) does not use up attempts:
//! the item stays queued until the network is back.

use crate::queue::{Item, Queue};
use crate::DigitizeError;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::time::Duration;

/// What a delivery attempt gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Accepted; the receiver's receipt.
    Delivered {
        /// Receipt (số biên nhận of the provincial system).
        receipt: String,
    },
    /// Try again later.
    Retry {
        /// Stable code.
        code: String,
        /// Detail.
        message: String,
        /// Wait asked by the server.
        retry_after: Option<Duration>,
        /// Whether this attempt counts against the maximum (false when the server is unreachable).
        counted: bool,
    },
    /// Refused for good.
    Permanent {
        /// Stable code.
        code: String,
        /// Detail (server's reason).
        message: String,
    },
}

/// One component's copy to deliver.
#[derive(Debug, Clone)]
pub struct Package {
    /// Idempotency key (the item id).
    pub idempotency_key: String,
    /// File name for the receiver.
    pub file_name: String,
    /// The PDF.
    pub pdf: Vec<u8>,
    /// JSON metadata.
    pub metadata: serde_json::Value,
}

/// A way to hand copies to the provincial system.
pub trait Delivery {
    /// One attempt.
    fn deliver(&self, p: &Package) -> Outcome;
}

/// Retry policy.
#[derive(Debug, Clone)]
pub struct Policy {
    /// First wait.
    pub base: Duration,
    /// Longest wait.
    pub cap: Duration,
    /// Counted attempts before `failed`.
    pub max_attempts: u32,
    /// Deliver only items signed by the agency (set when a signer is configured: a
    /// `processed` item then waits for its signature instead of leaving unsigned).
    pub require_signed: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            base: Duration::from_secs(30),
            cap: Duration::from_secs(3600),
            max_attempts: 8,
            require_signed: false,
        }
    }
}

impl Policy {
    /// Wait after the `attempt`-th failure (1-based): base·2^(attempt−1), capped.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let f = 1u32.checked_shl(attempt.saturating_sub(1).min(30)).unwrap_or(u32::MAX);
        self.base.saturating_mul(f).min(self.cap)
    }
}

/// HTTP delivery with timeouts.
#[derive(Debug, Clone)]
pub struct HttpDelivery {
    endpoint: String,
    agent: ureq::Agent,
}

impl HttpDelivery {
    /// `endpoint`: URL receiving the POST (`https://` verified against the Mozilla roots of
    /// `webpki-roots`); `timeout`: whole-request limit.
    pub fn new(endpoint: &str, timeout: Duration) -> Self {
        Self::build(endpoint, timeout, ureq::tls::RootCerts::WebPki)
    }

    /// Like [`HttpDelivery::new`], also trusting the CA certificates of `pem` (a provincial
    /// endpoint whose certificate is issued by a private CA). Verification is never disabled.
    pub fn with_ca_pem(endpoint: &str, timeout: Duration, pem: &[u8]) -> Result<Self, DigitizeError> {
        use ureq::tls::{Certificate, PemItem};
        let mut certs: Vec<Certificate<'static>> = webpki_root_certs::TLS_SERVER_ROOT_CERTS
            .iter()
            .map(|c| Certificate::from_der(c.as_ref()).to_owned())
            .collect();
        let mut added = 0;
        for item in ureq::tls::parse_pem(pem) {
            match item {
                Ok(PemItem::Certificate(c)) => {
                    certs.push(c);
                    added += 1;
                }
                Ok(_) => {}
                Err(e) => {
                    return Err(DigitizeError::Invalid(format!(
                        "tệp CA (PEM) của máy chủ nhận không đọc được: {e}"
                    )))
                }
            }
        }
        if added == 0 {
            return Err(DigitizeError::Invalid(
                "tệp CA của máy chủ nhận không có chứng thư PEM (-----BEGIN CERTIFICATE-----)".into(),
            ));
        }
        Ok(Self::build(endpoint, timeout, ureq::tls::RootCerts::new_with_certs(&certs)))
    }

    /// [`HttpDelivery::with_ca_pem`] with the PEM read from `path`.
    pub fn with_ca_file(endpoint: &str, timeout: Duration, path: &std::path::Path) -> Result<Self, DigitizeError> {
        let pem = std::fs::read(path).map_err(|e| DigitizeError::io(path, e))?;
        Self::with_ca_pem(endpoint, timeout, &pem)
    }

    fn build(endpoint: &str, timeout: Duration, roots: ureq::tls::RootCerts) -> Self {
        let tls = ureq::tls::TlsConfig::builder()
            .provider(ureq::tls::TlsProvider::Rustls)
            .root_certs(roots)
            .build();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .timeout_connect(Some(Duration::from_secs(5).min(timeout)))
            .http_status_as_error(false)
            .tls_config(tls)
            .build()
            .into();
        Self {
            endpoint: endpoint.to_string(),
            agent,
        }
    }
}

/// Vietnamese text for a delivery outcome code (as stored in `error_code`).
pub fn outcome_message_vi(code: &str) -> String {
    match code {
        "delivery_unreachable" => "Không kết nối được hệ thống của tỉnh. Bản số hóa vẫn nằm trong hàng đợi và sẽ được gửi lại khi có mạng.".into(),
        "delivery_timeout" => "Hệ thống của tỉnh không trả lời kịp. Sẽ tự gửi lại sau.".into(),
        "delivery_connection_lost" => "Mất kết nối khi đang gửi. Sẽ tự gửi lại sau.".into(),
        "delivery_tls" => "Không xác thực được máy chủ nhận qua HTTPS (chứng thư không được tin cậy, hết hạn hoặc sai tên máy chủ). Nếu hệ thống của tỉnh dùng CA riêng, hãy cấu hình tệp CA (--ca-file); bản số hóa vẫn nằm trong hàng đợi.".into(),
        "delivery_hash_mismatch" => "Hệ thống của tỉnh nhận được tệp khác với tệp đã gửi. Sẽ gửi lại.".into(),
        "digitize_file_altered" => "Tệp bản số hóa đã lưu bị thay đổi hoặc bị mất; không gửi. Hãy quét lại thành phần này.".into(),
        c if c.starts_with("delivery_rejected_") => "Hệ thống của tỉnh từ chối bản số hóa. Xem lý do, sửa rồi gửi lại.".into(),
        c if c.starts_with("delivery_http_") => "Hệ thống của tỉnh đang lỗi. Sẽ tự gửi lại sau.".into(),
        _ => "Gửi bản số hóa không thành công. Sẽ thử lại sau.".into(),
    }
}

/// Builds the `multipart/form-data` body; returns (content type, body).
pub fn multipart(p: &Package) -> (String, Vec<u8>) {
    let boundary = format!("motcua-{}", crate::sha256_hex(p.idempotency_key.as_bytes()));
    let mut b = Vec::with_capacity(p.pdf.len() + 1024);
    b.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"metadata\"\r\nContent-Type: application/json\r\n\r\n").as_bytes());
    b.extend_from_slice(p.metadata.to_string().as_bytes());
    b.extend_from_slice(
        format!(
            "\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: application/pdf\r\n\r\n",
            p.file_name.replace(['"', '\r', '\n'], "_")
        )
        .as_bytes(),
    );
    b.extend_from_slice(&p.pdf);
    b.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), b)
}

impl Delivery for HttpDelivery {
    fn deliver(&self, p: &Package) -> Outcome {
        let (ct, body) = multipart(p);
        let sha = crate::sha256_hex(&p.pdf);
        let res = self
            .agent
            .post(&self.endpoint)
            .header("Content-Type", &ct)
            .header("Idempotency-Key", &p.idempotency_key)
            .header("X-Content-SHA256", &sha)
            .send(&body[..]);
        match res {
            Ok(mut r) => {
                let status = r.status().as_u16();
                let retry_after = r
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                let text = r
                    .body_mut()
                    .with_config()
                    .limit(64 * 1024)
                    .read_to_string()
                    .unwrap_or_default();
                classify(status, &text, retry_after, &sha)
            }
            Err(e) => transport_error(e),
        }
    }
}

/// Classifies an HTTP answer.
pub fn classify(status: u16, body: &str, retry_after: Option<Duration>, sha: &str) -> Outcome {
    let short: String = body.chars().take(300).collect();
    match status {
        200..=299 => {
            let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
            if let Some(s) = v.get("sha256").and_then(|s| s.as_str()) {
                if s != sha {
                    return Outcome::Retry {
                        code: "delivery_hash_mismatch".into(),
                        message: format!("receiver computed {s}"),
                        retry_after: None,
                        counted: true,
                    };
                }
            }
            let receipt = v
                .get("receipt")
                .and_then(|r| r.as_str())
                .map(str::to_string)
                .unwrap_or_else(|| format!("http-{status}"));
            Outcome::Delivered { receipt }
        }
        408 | 425 | 429 | 500..=599 => Outcome::Retry {
            code: format!("delivery_http_{status}"),
            message: short,
            retry_after,
            counted: true,
        },
        400..=499 => Outcome::Permanent {
            code: format!("delivery_rejected_{status}"),
            message: short,
        },
        _ => Outcome::Retry {
            code: format!("delivery_http_{status}"),
            message: short,
            retry_after,
            counted: true,
        },
    }
}

/// True when `e` is a TLS failure (handshake, certificate verification).
fn is_tls(e: &ureq::Error) -> bool {
    match e {
        ureq::Error::Rustls(_) | ureq::Error::Tls(_) | ureq::Error::Pem(_) => true,
        ureq::Error::Io(io) => io
            .get_ref()
            .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some()),
        _ => false,
    }
}

fn transport_error(e: ureq::Error) -> Outcome {
    if is_tls(&e) {
        // A configuration problem (CA, certificate, name): retrying soon will not help, but the
        // copy must not be given up either; it waits, uncounted, with a clear code.
        return Outcome::Retry {
            code: "delivery_tls".into(),
            message: format!("{} ({e})", outcome_message_vi("delivery_tls")),
            retry_after: None,
            counted: false,
        };
    }
    let (code, counted) = match &e {
        ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => ("delivery_unreachable", false),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            ("delivery_unreachable", false)
        }
        ureq::Error::Timeout(_) => ("delivery_timeout", true),
        _ => ("delivery_connection_lost", true),
    };
    Outcome::Retry {
        code: code.into(),
        message: e.to_string(),
        retry_after: None,
        counted,
    }
}

/// What one pass did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PassReport {
    /// Items delivered in this pass.
    pub delivered: Vec<String>,
    /// Items to retry later: (id, code, next attempt).
    pub retrying: Vec<(String, String, DateTime<Utc>)>,
    /// Items given up: (id, code).
    pub failed: Vec<(String, String)>,
}

/// Metadata sent with the PDF.
pub fn metadata(it: &Item) -> serde_json::Value {
    serde_json::json!({
        "item_id": it.id,
        "ma_ho_so": it.ma_ho_so,
        "component_id": it.component_id,
        "procedure": it.procedure,
        "clerk": it.clerk,
        "received_at": crate::queue::ts(it.received_at),
        "page_count": it.page_count,
        "dpi": it.target_dpi,
        "sha256": it.delivery_copy().and_then(|c| c.1),
        "bytes": it.delivery_copy().and_then(|c| c.2),
        "signed": it.signed.is_some(),
        "unsigned_sha256": it.sha256,
        "signed_at": it.signed.as_ref().map(|s| crate::queue::ts(s.signed_at)),
        "reused_from": it.reused_from,
    })
}

/// Delivers every due item once, in id order.
pub fn deliver_pass(
    q: &Queue,
    d: &dyn Delivery,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<PassReport, DigitizeError> {
    let mut rep = PassReport::default();
    for it in q.due_filtered(now, policy.require_signed)? {
        let Some((path, sha, _)) = it.delivery_copy() else { continue };
        let path = path.to_path_buf();
        let sha = sha.map(str::to_string);
        let pdf = match std::fs::read(&path) {
            Ok(b) if Some(crate::sha256_hex(&b)) == sha => b,
            _ => {
                q.mark_attempt_failed(&it.id, "digitize_file_altered", &path.display().to_string(), true, None, true)?;
                rep.failed.push((it.id.clone(), "digitize_file_altered".into()));
                continue;
            }
        };
        let pkg = Package {
            idempotency_key: it.id.clone(),
            file_name: format!("{}_{}.pdf", it.ma_ho_so, it.component_id),
            pdf,
            metadata: metadata(&it),
        };
        match d.deliver(&pkg) {
            Outcome::Delivered { receipt } => {
                q.mark_delivered(&it.id, &receipt)?;
                rep.delivered.push(it.id.clone());
            }
            Outcome::Permanent { code, message } => {
                q.mark_attempt_failed(&it.id, &code, &message, true, None, true)?;
                rep.failed.push((it.id.clone(), code));
            }
            Outcome::Retry {
                code,
                message,
                retry_after,
                counted,
            } => {
                let attempts = it.attempts + counted as u32;
                if counted && attempts >= policy.max_attempts {
                    q.mark_attempt_failed(&it.id, &code, &message, true, None, true)?;
                    rep.failed.push((it.id.clone(), code));
                    continue;
                }
                let wait = policy
                    .backoff(attempts.max(1))
                    .max(retry_after.unwrap_or_default())
                    .min(policy.cap.max(retry_after.unwrap_or_default()));
                let next = now + chrono::Duration::from_std(wait).unwrap_or_default();
                q.mark_attempt_failed(&it.id, &code, &message, counted, Some(next), false)?;
                rep.retrying.push((it.id.clone(), code, next));
            }
        }
    }
    Ok(rep)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let p = Policy {
            base: Duration::from_secs(10),
            cap: Duration::from_secs(100),
            max_attempts: 5,
            require_signed: false,
        };
        let v: Vec<u64> = (1..=6).map(|a| p.backoff(a).as_secs()).collect();
        assert_eq!(v, [10, 20, 40, 80, 100, 100]);
        assert_eq!(p.backoff(1000).as_secs(), 100);
    }

    #[test]
    fn classification() {
        assert!(matches!(classify(201, r#"{"receipt":"R1"}"#, None, "x"), Outcome::Delivered { receipt } if receipt == "R1"));
        assert!(matches!(classify(503, "", Some(Duration::from_secs(7)), "x"), Outcome::Retry { retry_after: Some(d), counted: true, .. } if d.as_secs() == 7));
        assert!(matches!(classify(422, "bad", None, "x"), Outcome::Permanent { code, .. } if code == "delivery_rejected_422"));
        assert!(matches!(classify(429, "", None, "x"), Outcome::Retry { .. }));
        assert!(matches!(classify(200, r#"{"sha256":"y"}"#, None, "x"), Outcome::Retry { .. }));
    }
}
