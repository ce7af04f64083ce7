//! PAdES signing end to end: a pdfdoc PDF signed with a PKCS#12 generated at test time, then
//! checked by our verifier, by `openssl cms -verify`, by poppler's `pdfsig` and `pdftotext`,
//! and tampered with.

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use chrono::{FixedOffset, TimeZone};
use der::{Decode, Encode};
use lds::SignerKey;
use pages::testpage::{a4_page, load_font, TestKind};
use pages::{process, Config, PageImage, RawPage};
use pdfdoc::{write_pdf, DocumentMeta, PdfOptions};
use pdfsign::{sign_pdf, verify, SignError, SignOptions, SigningCredential};

const AGENCY: &str = "Ủy ban nhân dân phường Thử Nghiệm";
const COPY_TYPE: &str = "Bản sao điện tử từ bản chính";
const PASSWORD: &str = "mật-khẩu-thử";

fn tz() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).unwrap()
}

fn opts() -> SignOptions {
    SignOptions {
        copy_type: COPY_TYPE.into(),
        agency: AGENCY.into(),
        signing_time: tz().with_ymd_and_hms(2026, 11, 28, 9, 15, 30).unwrap(),
        reason: Some("Số hóa hồ sơ".into()),
        location: Some("Bộ phận Một cửa".into()),
        cms_signing_time: true,
    }
}

fn mm(v: f32) -> u32 {
    (v / 25.4 * 200.0).round() as u32
}

/// A one-page PDF from pdfdoc (a 200 dpi A5-sized crop of a generated text page).
fn unsigned_pdf() -> &'static Vec<u8> {
    static PDF: OnceLock<Vec<u8>> = OnceLock::new();
    PDF.get_or_init(|| {
        let font = load_font().expect("fonts-dejavu-core");
        let page = a4_page(TestKind::Text, 200.0, 1, &font);
        let crop = image::imageops::crop_imm(&page, 0, 0, mm(148.0), mm(210.0)).to_image();
        let p = process(
            &RawPage::new(PageImage::Rgb(crop), 200.0).unwrap(),
            &Config::default(),
        )
        .unwrap();
        let meta = DocumentMeta {
            ma_ho_so: "000.00.00.H00-261128-0042".into(),
            thu_tuc: "Đăng ký thử nghiệm".into(),
            thanh_phan: "Đơn đề nghị".into(),
            can_bo: "Cán bộ A".into(),
            received_at: tz().with_ymd_and_hms(2026, 11, 28, 8, 30, 0).unwrap(),
            created_at: tz().with_ymd_and_hms(2026, 11, 28, 8, 45, 10).unwrap(),
            title: None,
        };
        write_pdf(&[p], &meta, &PdfOptions::default())
            .unwrap()
            .bytes
    })
}

struct Pki {
    ca: testpki::TestCert,
    signer: testpki::TestCert,
    p12: Vec<u8>,
}

fn pkcs8(key: &SignerKey) -> Vec<u8> {
    use p256::pkcs8::EncodePrivateKey as _;
    match key {
        SignerKey::EcdsaP256(k) => k.to_pkcs8_der().unwrap().as_bytes().to_vec(),
        other => panic!("test key {other:?}"),
    }
}

/// Test CA + agency signer (ECDSA P-256) + PKCS#12 (AES-256-CBC / HMAC-SHA256) made now.
fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let ca = testpki::csca("pdfsign-test-ca");
        let signer = testpki::document_signer(&ca, "pdfsign-test-agency");
        let chain = p12_keystore::PrivateKeyChain::new(
            pkcs8(&signer.key),
            [1u8; 20],
            [
                p12_keystore::Certificate::from_der(&signer.der).unwrap(),
                p12_keystore::Certificate::from_der(&ca.der).unwrap(),
            ],
        );
        let mut ks = p12_keystore::KeyStore::new();
        ks.add_entry(
            "agency",
            p12_keystore::KeyStoreEntry::PrivateKeyChain(chain),
        );
        let p12 = ks.writer(PASSWORD).write().unwrap();
        Pki { ca, signer, p12 }
    })
}

fn signed() -> &'static pdfsign::SignedPdf {
    static S: OnceLock<pdfsign::SignedPdf> = OnceLock::new();
    S.get_or_init(|| {
        let cred = SigningCredential::from_pkcs12(&pki().p12, PASSWORD).unwrap();
        sign_pdf(unsigned_pdf(), &cred, &opts()).unwrap()
    })
}

fn tool(name: &str) -> bool {
    Command::new(name).arg("-v").output().is_ok()
        || Command::new(name).arg("version").output().is_ok()
}

fn cms_of(pdf: &[u8], br: [usize; 4]) -> Vec<u8> {
    let hex = &pdf[br[1] + 1..br[2] - 1];
    let bytes: Vec<u8> = hex
        .chunks(2)
        .map(|c| u8::from_str_radix(std::str::from_utf8(c).unwrap(), 16).unwrap())
        .collect();
    pdfsign::cms_build_der(&bytes).unwrap().to_vec()
}

fn write(dir: &Path, name: &str, data: &[u8]) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, data).unwrap();
    p
}

#[test]
fn original_bytes_kept_and_own_verifier_accepts() {
    let s = signed();
    let orig = unsigned_pdf();
    assert_eq!(
        &s.bytes[..orig.len()],
        orig.as_slice(),
        "incremental update"
    );
    assert!(s.bytes.len() > orig.len());
    assert_eq!(s.byte_range[0], 0);
    assert_eq!(s.byte_range[2] + s.byte_range[3], s.bytes.len());
    assert!(s.byte_range[1] > orig.len(), "hole is in the appended part");

    let v = verify(&s.bytes, &[pki().ca.der.clone()]).unwrap();
    assert!(v.covers_whole_file);
    assert!(v.trusted);
    assert_eq!(v.sub_filter, "ETSI.CAdES.detached");
    assert!(
        v.signer_subject.contains("DS TEST VIETNAM"),
        "{}",
        v.signer_subject
    );

    // Another CA is not trusted, but the signature itself still verifies.
    let other = testpki::csca("pdfsign-other-ca");
    let v2 = verify(&s.bytes, std::slice::from_ref(&other.der)).unwrap();
    assert!(!v2.trusted);

    // Unsigned PDF.
    assert_eq!(verify(orig, &[]).unwrap_err().code(), "sign_not_signed");

    // The structure, read back with lopdf.
    let doc = lopdf::Document::load_mem(&s.bytes).unwrap();
    let page = *doc.get_pages().get(&1).unwrap();
    let annots = doc
        .get_dictionary(page)
        .unwrap()
        .get(b"Annots")
        .unwrap()
        .as_array()
        .unwrap();
    let w = doc
        .get_dictionary(annots[0].as_reference().unwrap())
        .unwrap();
    assert_eq!(w.get(b"FT").unwrap().as_name().unwrap(), b"Sig");
    let root = doc.trailer.get(b"Root").unwrap().as_reference().unwrap();
    let acro = doc
        .get_dictionary(root)
        .unwrap()
        .get(b"AcroForm")
        .unwrap()
        .as_dict()
        .unwrap();
    assert_eq!(acro.get(b"SigFlags").unwrap().as_i64().unwrap(), 3);
    // Visible block at the top right of page 1.
    let mb: Vec<f32> = doc
        .get_dictionary(page)
        .unwrap()
        .get(b"MediaBox")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_float().unwrap())
        .collect();
    assert!(
        s.rect[2] > mb[2] * 0.8 && s.rect[3] > mb[3] * 0.85,
        "{:?} in {mb:?}",
        s.rect
    );
}

#[test]
fn cms_has_the_cades_signed_attributes() {
    use cms::content_info::ContentInfo;
    use cms::signed_data::SignedData;
    let s = signed();
    let der = cms_of(&s.bytes, s.byte_range);
    let ci = ContentInfo::from_der(&der).unwrap();
    let sd: SignedData = ci.content.decode_as().unwrap();
    assert!(sd.encap_content_info.econtent.is_none(), "detached");
    let si = sd.signer_infos.0.iter().next().unwrap();
    let oids: Vec<String> = si
        .signed_attrs
        .as_ref()
        .unwrap()
        .iter()
        .map(|a| a.oid.to_string())
        .collect();
    for want in [
        "1.2.840.113549.1.9.3",       // contentType
        "1.2.840.113549.1.9.4",       // messageDigest
        "1.2.840.113549.1.9.5",       // signingTime
        "1.2.840.113549.1.9.16.2.47", // signingCertificateV2
    ] {
        assert!(
            oids.iter().any(|o| o == want),
            "{want} missing from {oids:?}"
        );
    }
    let certs = sd.certificates.unwrap();
    assert_eq!(certs.0.len(), 2, "signer + CA");
    let _ = certs.to_der().unwrap();
}

#[test]
fn tampering_is_detected() {
    let s = signed();
    let anchors = [pki().ca.der.clone()];
    // A byte of the original file (first range), of the appended part after /Contents
    // (second range), and of the signature itself.
    for at in [
        unsigned_pdf().len() / 2,
        s.byte_range[2] + 10,
        s.byte_range[1] + 41,
    ] {
        let mut t = s.bytes.clone();
        t[at] = if t[at] == b'0' { b'1' } else { t[at] ^ 0x01 };
        match verify(&t, &anchors) {
            Err(e) => assert!(
                matches!(e.code(), "sign_verify_failed" | "sign_pdf_unreadable"),
                "at {at}: {e}"
            ),
            Ok(v) => panic!("tampered byte {at} accepted: {v:?}"),
        }
    }
}

#[test]
fn openssl_cms_verifies_the_signature() {
    assert!(
        tool("openssl"),
        "openssl is needed (scripts/setup.sh APT_PKGS)"
    );
    let s = signed();
    let dir = tempfile::tempdir().unwrap();
    let br = s.byte_range;
    let mut content = s.bytes[..br[1]].to_vec();
    content.extend_from_slice(&s.bytes[br[2]..]);
    let cms = write(dir.path(), "sig.der", &cms_of(&s.bytes, br));
    let data = write(dir.path(), "content.bin", &content);
    let ca = write(dir.path(), "ca.pem", pki().ca.pem().as_bytes());
    let run = |data: &Path, ca: &Path| {
        Command::new("openssl")
            .args([
                "cms",
                "-verify",
                "-binary",
                "-inform",
                "DER",
                "-purpose",
                "any",
                "-out",
                "/dev/null",
            ])
            .arg("-in")
            .arg(&cms)
            .arg("-content")
            .arg(data)
            .arg("-CAfile")
            .arg(ca)
            .output()
            .unwrap()
    };
    let ok = run(&data, &ca);
    assert!(
        ok.status.success(),
        "openssl: {}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stderr).contains("Verification successful"));

    // Changed content: openssl rejects it.
    let mut bad = content.clone();
    bad[100] ^= 0x20;
    let bad = write(dir.path(), "bad.bin", &bad);
    assert!(!run(&bad, &ca).status.success());
    // Another CA: rejected.
    let other = write(
        dir.path(),
        "other.pem",
        testpki::csca("pdfsign-other-ca").pem().as_bytes(),
    );
    assert!(!run(&data, &other).status.success());

    // signingCertificateV2 and the other attributes as openssl parses them.
    let print = Command::new("openssl")
        .args(["cms", "-cmsout", "-print", "-inform", "DER", "-noout"])
        .arg("-in")
        .arg(&cms)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&print.stdout);
    for want in [
        "id-smime-aa-signingCertificateV2",
        "messageDigest",
        "signingTime",
        "contentType",
    ] {
        assert!(text.contains(want), "{want} not in openssl -print output");
    }
}

#[test]
fn poppler_pdfsig_and_pdftotext() {
    assert!(
        Command::new("pdfsig").arg("-v").output().is_ok(),
        "poppler-utils needed"
    );
    let s = signed();
    let dir = tempfile::tempdir().unwrap();
    let pdf = write(dir.path(), "signed.pdf", &s.bytes);
    if let Ok(d) = std::env::var("PDFSIGN_KEEP") {
        std::fs::write(Path::new(&d).join("signed.pdf"), &s.bytes).unwrap();
    }
    let out = Command::new("pdfsig").arg(&pdf).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("Signature is Valid"), "pdfsig:\n{text}");
    assert!(text.contains("ETSI.CAdES.detached"), "pdfsig:\n{text}");
    assert!(text.contains("Total document signed"), "pdfsig:\n{text}");

    let mut t = s.bytes.clone();
    let at = unsigned_pdf().len() / 2;
    t[at] ^= 0x01;
    let tampered = write(dir.path(), "tampered.pdf", &t);
    let out = Command::new("pdfsig").arg(&tampered).output().unwrap();
    let ttext = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        !ttext.contains("Signature is Valid"),
        "pdfsig accepted a tampered file:\n{ttext}"
    );

    let out = Command::new("pdftotext")
        .args(["-f", "1", "-l", "1", "-enc", "UTF-8"])
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(COPY_TYPE), "pdftotext:\n{text}");
    assert!(text.contains(AGENCY), "pdftotext:\n{text}");
    assert!(
        text.contains("2026-11-28T09:15:30+07:00"),
        "pdftotext:\n{text}"
    );
}

#[test]
fn openssl_made_pkcs12_and_rsa_keys_sign() {
    assert!(tool("openssl"), "openssl is needed");
    let dir = tempfile::tempdir().unwrap();
    let p = pki();
    let key_pem = der::pem::encode_string(
        "PRIVATE KEY",
        der::pem::LineEnding::LF,
        &pkcs8(&p.signer.key),
    )
    .unwrap();
    let key = write(dir.path(), "key.pem", key_pem.as_bytes());
    let cert = write(dir.path(), "cert.pem", p.signer.pem().as_bytes());
    let ca = write(dir.path(), "ca.pem", p.ca.pem().as_bytes());
    let out = dir.path().join("agency.p12");
    let st = Command::new("openssl")
        .args(["pkcs12", "-export", "-passout", &format!("pass:{PASSWORD}")])
        .arg("-inkey")
        .arg(&key)
        .arg("-in")
        .arg(&cert)
        .arg("-certfile")
        .arg(&ca)
        .arg("-out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let p12 = std::fs::read(&out).unwrap();
    let cred = SigningCredential::from_pkcs12(&p12, PASSWORD).unwrap();
    let s = sign_pdf(unsigned_pdf(), &cred, &opts()).unwrap();
    assert!(
        verify(&s.bytes, std::slice::from_ref(&p.ca.der))
            .unwrap()
            .trusted
    );

    // Wrong password: typed error.
    let e = SigningCredential::from_pkcs12(&p12, "sai").unwrap_err();
    assert_eq!(e.code(), "sign_pkcs12_unreadable");
    assert!(!e.message_vi().is_empty());

    // RSA (PKCS#1 v1.5): a self-signed RSA-2048 test certificate.
    let rsa = testpki::csca_rsa2048("pdfsign-rsa");
    let cred = SigningCredential::from_parts(rsa.key.clone(), &rsa.der, &[]).unwrap();
    let s = sign_pdf(unsigned_pdf(), &cred, &opts()).unwrap();
    assert!(
        verify(&s.bytes, std::slice::from_ref(&rsa.der))
            .unwrap()
            .trusted
    );

    // Key and certificate that do not belong together.
    let e = SigningCredential::from_parts(rsa.key.clone(), &p.signer.der, &[]).unwrap_err();
    assert_eq!(e.code(), "sign_bad_certificate");
}

#[test]
fn bad_options_are_typed_errors() {
    let cred = SigningCredential::from_pkcs12(&pki().p12, PASSWORD).unwrap();
    let mut o = opts();
    o.agency = "  ".into();
    let e = sign_pdf(unsigned_pdf(), &cred, &o).unwrap_err();
    assert_eq!(e.code(), "sign_invalid_option");
    let mut o = opts();
    o.agency = "Cơ quan ☃ thử".into(); // no snowman in Liberation Serif
    let e: SignError = sign_pdf(unsigned_pdf(), &cred, &o).unwrap_err();
    assert_eq!(e.code(), "sign_font_missing_glyph");
    assert_eq!(
        sign_pdf(b"not a pdf", &cred, &opts()).unwrap_err().code(),
        "sign_pdf_unreadable"
    );
}

#[test]
fn second_signature_keeps_the_first_valid() {
    let s = signed();
    let cred = SigningCredential::from_pkcs12(&pki().p12, PASSWORD).unwrap();
    let twice = sign_pdf(&s.bytes, &cred, &opts()).unwrap();
    assert_eq!(&twice.bytes[..s.bytes.len()], s.bytes.as_slice());
    let v = verify(&twice.bytes, std::slice::from_ref(&pki().ca.der)).unwrap();
    assert!(v.covers_whole_file && v.trusted);
    assert_eq!(
        v.byte_range, twice.byte_range,
        "the last signature is the one checked"
    );
    let doc = lopdf::Document::load_mem(&twice.bytes).unwrap();
    let root = doc.trailer.get(b"Root").unwrap().as_reference().unwrap();
    let acro = doc
        .get_dictionary(root)
        .unwrap()
        .get(b"AcroForm")
        .unwrap()
        .as_dict()
        .unwrap();
    assert_eq!(acro.get(b"Fields").unwrap().as_array().unwrap().len(), 2);

    let dir = tempfile::tempdir().unwrap();
    let pdf = write(dir.path(), "twice.pdf", &twice.bytes);
    let out = Command::new("pdfsig").arg(&pdf).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        text.matches("Signature is Valid").count(),
        2,
        "pdfsig:\n{text}"
    );
}

/// A key "outside the process": a software key behind [`pdfsign::ExternalKey`], counting its
/// signatures and optionally failing like a removed token.
struct OutsideKey {
    key: SignerKey,
    fail: bool,
    calls: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl pdfsign::ExternalKey for OutsideKey {
    fn public_key_info(&self) -> Result<spki::SubjectPublicKeyInfoOwned, pdfsign::ExternalKeyError> {
        Ok(self.key.public_key_info().unwrap())
    }
    fn signature_algorithm(&self) -> spki::AlgorithmIdentifierOwned {
        self.key
            .signature_algorithm(lds::HashAlgorithm::Sha256)
            .unwrap()
    }
    fn sign_sha256(&self, data: &[u8]) -> Result<Vec<u8>, pdfsign::ExternalKeyError> {
        self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if self.fail {
            return Err(pdfsign::ExternalKeyError {
                code: "test_token_removed",
                message_vi: "Thiết bị ký đã bị rút ra.".into(),
                detail: "CKR_DEVICE_REMOVED".into(),
            });
        }
        Ok(self.key.sign(lds::HashAlgorithm::Sha256, data).unwrap())
    }
    fn describe(&self) -> String {
        "test outside key".into()
    }
}

#[test]
fn external_key_signs_verifies_and_reports_its_errors() {
    let p = pki();
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let key = OutsideKey {
        key: p.signer.key.clone(),
        fail: false,
        calls: calls.clone(),
    };
    let cred =
        SigningCredential::from_external(Box::new(key), &p.signer.der, std::slice::from_ref(&p.ca.der))
            .unwrap();
    assert!(format!("{cred:?}").contains("test outside key"));
    let out = sign_pdf(unsigned_pdf(), &cred, &opts()).unwrap();
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1);
    let v = verify(&out.bytes, std::slice::from_ref(&p.ca.der)).unwrap();
    assert!(v.trusted && v.covers_whole_file);
    assert_eq!(v.signer_subject, cred.subject());

    // A key that does not match the certificate is refused before any signature.
    let other = testpki::key_from_seed(testpki::KeyAlg::P256, "pdfsign-other-key");
    let wrong = OutsideKey {
        key: other,
        fail: false,
        calls: calls.clone(),
    };
    let e = SigningCredential::from_external(Box::new(wrong), &p.signer.der, &[]).unwrap_err();
    assert_eq!(e.code(), "sign_bad_certificate");

    // The device's own code and message come through the signing error.
    let failing = OutsideKey {
        key: p.signer.key.clone(),
        fail: true,
        calls,
    };
    let cred = SigningCredential::from_external(Box::new(failing), &p.signer.der, &[]).unwrap();
    let e = sign_pdf(unsigned_pdf(), &cred, &opts()).unwrap_err();
    assert_eq!(e.code(), "test_token_removed");
    assert_eq!(e.message_vi(), "Thiết bị ký đã bị rút ra.");
    assert!(matches!(e, SignError::External(_)));
}
