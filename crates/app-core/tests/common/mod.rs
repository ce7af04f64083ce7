//! Helpers shared by the app-core integration tests.
#![allow(dead_code)]

use app_core::hoso::{CheckFormArgs, FieldValue, HoSoFormView};
use app_core::App;

/// Plausible values for every field the form still reports invalid (split wards: the first
/// choice), so that a hồ sơ can be saved.
pub fn fill_required(app: &App, form: &HoSoFormView) -> Vec<FieldValue> {
    let issues = app
        .hoso_check_form(CheckFormArgs {
            procedure_code: form.procedure.code.clone(),
            values: vec![],
            phone: None,
            email: None,
        })
        .unwrap();
    issues
        .iter()
        .map(|i| {
            let f = form.fields.iter().find(|f| f.id == i.field).unwrap();
            let value = if f.needs_choice {
                f.choices[0].clone()
            } else {
                match f.kind.as_str() {
                    "date" => "01/02/2020".into(),
                    "phone" => "0912345678".into(),
                    "email" => "a@b.vn".into(),
                    "id_number" => "001090123456".into(),
                    "number" => "1".into(),
                    "select" => f.options[0].clone(),
                    _ => "Nội dung thử".into(),
                }
            };
            FieldValue { id: f.id.clone(), value }
        })
        .collect()
}
