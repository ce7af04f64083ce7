//! A minimal sRGB ICC v2 display profile (ICC.1:2001-04), generated in code so that no profile
//! file has to be shipped: header, `desc`, `cprt`, `wtpt` (D50), Bradford-adapted sRGB
//! primaries (`rXYZ`/`gXYZ`/`bXYZ`) and the IEC 61966-2-1 tone curve as a 1024-entry `curv`
//! shared by the three channels. Used as the PDF/A OutputIntent `DestOutputProfile`.

fn s15(v: f64) -> [u8; 4] {
    ((v * 65536.0).round() as i32).to_be_bytes()
}

fn xyz(x: f64, y: f64, z: f64) -> Vec<u8> {
    let mut t = b"XYZ \0\0\0\0".to_vec();
    t.extend(s15(x));
    t.extend(s15(y));
    t.extend(s15(z));
    t
}

/// The profile bytes.
pub fn srgb_profile() -> Vec<u8> {
    let desc_text = b"sRGB IEC61966-2.1 (generated)\0";
    let mut desc = b"desc\0\0\0\0".to_vec();
    desc.extend((desc_text.len() as u32).to_be_bytes());
    desc.extend(desc_text);
    desc.extend([0u8; 4 + 4]); // Unicode language code, Unicode count
    desc.extend([0u8; 2 + 1 + 67]); // ScriptCode code, count, filler
    let mut cprt = b"text\0\0\0\0".to_vec();
    cprt.extend(b"No copyright, use freely\0");
    let mut curv = b"curv\0\0\0\0".to_vec();
    curv.extend(1024u32.to_be_bytes());
    for i in 0..1024 {
        let v = i as f64 / 1023.0;
        let lin = if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        };
        curv.extend(((lin * 65535.0).round() as u16).to_be_bytes());
    }
    let tags: Vec<(&[u8; 4], Vec<u8>)> = vec![
        (b"desc", desc),
        (b"cprt", cprt),
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.4360747, 0.2225045, 0.0139322)),
        (b"gXYZ", xyz(0.3850649, 0.7168786, 0.0971045)),
        (b"bXYZ", xyz(0.1430804, 0.0606169, 0.7141733)),
        (b"rTRC", curv),
    ];
    // Tag table: the three TRC tags share one data block.
    let count = tags.len() + 2;
    let mut offset = 128 + 4 + 12 * count;
    let mut table = Vec::new();
    let mut data = Vec::new();
    for (sig, body) in &tags {
        table.extend_from_slice(*sig);
        table.extend((offset as u32).to_be_bytes());
        table.extend((body.len() as u32).to_be_bytes());
        if *sig == b"rTRC" {
            for other in [b"gTRC", b"bTRC"] {
                table.extend_from_slice(other);
                table.extend((offset as u32).to_be_bytes());
                table.extend((body.len() as u32).to_be_bytes());
            }
        }
        data.extend(body);
        while data.len() % 4 != 0 {
            data.push(0);
        }
        offset = 128 + 4 + 12 * count + data.len();
    }
    let size = 128 + 4 + table.len() + data.len();
    let mut p = Vec::with_capacity(size);
    p.extend((size as u32).to_be_bytes());
    p.extend([0u8; 4]); // preferred CMM
    p.extend([0x02, 0x10, 0, 0]); // version 2.1
    p.extend(b"mntrRGB XYZ ");
    p.extend([0x07, 0xD0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0]); // 2000-01-01 00:00:00
    p.extend(b"acsp");
    p.extend([0u8; 4 + 4 + 4 + 4 + 8 + 4]); // platform, flags, manufacturer, model, attributes, intent
    p.extend(s15(0.9642));
    p.extend(s15(1.0));
    p.extend(s15(0.8249));
    p.extend([0u8; 4 + 16 + 28]); // creator, profile ID, reserved
    debug_assert_eq!(p.len(), 128);
    p.extend((count as u32).to_be_bytes());
    p.extend(table);
    p.extend(data);
    p
}
