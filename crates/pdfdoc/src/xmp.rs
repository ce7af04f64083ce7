//! XMP metadata packet: Dublin Core, XMP basic, Adobe PDF, PDF/A identification, and our own
//! `motcua:` properties declared through a PDF/A extension schema (ISO 19005-2, 6.6.2.3.2).

use crate::DocumentMeta;

/// Namespace of the digitized-copy properties (`.invalid`: a name, not a place to fetch).
pub const NS: &str = "https://motcua-desk.invalid/ns/scan/1.0/";

pub(crate) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            c => o.push(c),
        }
    }
    o
}

pub(crate) struct Fields<'a> {
    pub meta: &'a DocumentMeta,
    pub title: String,
    pub subject: String,
    pub keywords: String,
    pub creator_tool: &'a str,
    pub producer: &'a str,
    pub page_count: usize,
    pub page_digests: Vec<String>,
    pub pdfa: bool,
}

const PROPS: &[(&str, &str, &str)] = &[
    ("maHoSo", "Text", "Mã hồ sơ (file code)"),
    ("thuTuc", "Text", "Thủ tục hành chính (procedure)"),
    ("thanhPhan", "Text", "Thành phần hồ sơ (component)"),
    ("canBoTiepNhan", "Text", "Cán bộ tiếp nhận (receiving clerk)"),
    ("thoiGianTiepNhan", "Date", "Thời gian tiếp nhận (received at)"),
    ("soTrang", "Integer", "Số trang (page count, equal to the original's)"),
    (
        "pageImageSha256",
        "Seq Text",
        "SHA-256 per page over its image streams as stored, in drawing order, each prefixed by its 8-byte big-endian length",
    ),
];

pub(crate) fn packet(f: &Fields) -> String {
    let m = f.meta;
    let created = m.created_at.to_rfc3339();
    let mut x = String::new();
    x.push_str("<?xpacket begin=\"\u{FEFF}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n");
    x.push_str("<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n");
    x.push_str("<rdf:Description rdf:about=\"\"\n xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\"\n xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\"\n xmlns:pdfaExtension=\"http://www.aiim.org/pdfa/ns/extension/\"\n xmlns:pdfaSchema=\"http://www.aiim.org/pdfa/ns/schema#\"\n xmlns:pdfaProperty=\"http://www.aiim.org/pdfa/ns/property#\"\n");
    x.push_str(&format!(" xmlns:motcua=\"{NS}\">\n"));
    x.push_str(" <dc:format>application/pdf</dc:format>\n");
    x.push_str(&format!(
        " <dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:title>\n",
        esc(&f.title)
    ));
    x.push_str(&format!(
        " <dc:creator><rdf:Seq><rdf:li>{}</rdf:li></rdf:Seq></dc:creator>\n",
        esc(&m.can_bo)
    ));
    x.push_str(&format!(
        " <dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:description>\n",
        esc(&f.subject)
    ));
    x.push_str(&format!(" <xmp:CreateDate>{created}</xmp:CreateDate>\n <xmp:ModifyDate>{created}</xmp:ModifyDate>\n <xmp:MetadataDate>{created}</xmp:MetadataDate>\n"));
    x.push_str(&format!(
        " <xmp:CreatorTool>{}</xmp:CreatorTool>\n",
        esc(f.creator_tool)
    ));
    x.push_str(&format!(
        " <pdf:Producer>{}</pdf:Producer>\n <pdf:Keywords>{}</pdf:Keywords>\n",
        esc(f.producer),
        esc(&f.keywords)
    ));
    if f.pdfa {
        x.push_str(" <pdfaid:part>2</pdfaid:part>\n <pdfaid:conformance>B</pdfaid:conformance>\n");
    }
    x.push_str(&format!(
        " <motcua:maHoSo>{}</motcua:maHoSo>\n",
        esc(&m.ma_ho_so)
    ));
    x.push_str(&format!(
        " <motcua:thuTuc>{}</motcua:thuTuc>\n",
        esc(&m.thu_tuc)
    ));
    x.push_str(&format!(
        " <motcua:thanhPhan>{}</motcua:thanhPhan>\n",
        esc(&m.thanh_phan)
    ));
    x.push_str(&format!(
        " <motcua:canBoTiepNhan>{}</motcua:canBoTiepNhan>\n",
        esc(&m.can_bo)
    ));
    x.push_str(&format!(
        " <motcua:thoiGianTiepNhan>{}</motcua:thoiGianTiepNhan>\n",
        m.received_at.to_rfc3339()
    ));
    x.push_str(&format!(
        " <motcua:soTrang>{}</motcua:soTrang>\n",
        f.page_count
    ));
    x.push_str(" <motcua:pageImageSha256><rdf:Seq>");
    for d in &f.page_digests {
        x.push_str(&format!("<rdf:li>{d}</rdf:li>"));
    }
    x.push_str("</rdf:Seq></motcua:pageImageSha256>\n");
    x.push_str(" <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType=\"Resource\">\n");
    x.push_str("  <pdfaSchema:schema>Một Cửa Desk digitized copy</pdfaSchema:schema>\n");
    x.push_str(&format!("  <pdfaSchema:namespaceURI>{NS}</pdfaSchema:namespaceURI>\n  <pdfaSchema:prefix>motcua</pdfaSchema:prefix>\n"));
    x.push_str("  <pdfaSchema:property><rdf:Seq>\n");
    for (name, ty, desc) in PROPS {
        x.push_str(&format!(
            "   <rdf:li rdf:parseType=\"Resource\"><pdfaProperty:name>{name}</pdfaProperty:name><pdfaProperty:valueType>{ty}</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>{}</pdfaProperty:description></rdf:li>\n",
            esc(desc)
        ));
    }
    x.push_str(
        "  </rdf:Seq></pdfaSchema:property>\n </rdf:li></rdf:Bag></pdfaExtension:schemas>\n",
    );
    x.push_str("</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n");
    // Padding lets a later editor rewrite the packet in place.
    for _ in 0..20 {
        x.push_str(&" ".repeat(99));
        x.push('\n');
    }
    x.push_str("<?xpacket end=\"w\"?>");
    x
}
