//! Thin adapters: clone the shell state, run the app-core body off the UI thread, return.
//! Every command takes one `args` object so the TypeScript side is uniform (see `ipc`).

use app_core::dto::*;
use app_core::AppError;
use tauri::State;

use crate::{Demo, Shell};
pub use crate::digitize::*;
pub use crate::hoso::*;
use card_service::Simulator;

pub(crate) async fn blocking<T, F>(shell: &Shell, f: F) -> Result<T, AppError>
where
    T: Send + 'static,
    F: FnOnce(Shell) -> Result<T, AppError> + Send + 'static,
{
    let shell = shell.clone();
    tauri::async_runtime::spawn_blocking(move || f(shell))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
}

#[tauri::command]
pub async fn app_status(s: State<'_, Shell>, args: NoArgs) -> Result<AppStatus, AppError> {
    let _ = args;
    blocking(&s, |s| s.app.status()).await
}

#[tauri::command]
pub async fn create_first_admin(
    s: State<'_, Shell>,
    args: SetupArgs,
) -> Result<SessionView, AppError> {
    blocking(&s, move |s| s.app.create_first_admin(args)).await
}

#[tauri::command]
pub async fn sign_in(s: State<'_, Shell>, args: SignInArgs) -> Result<SessionView, AppError> {
    blocking(&s, move |s| s.app.sign_in(args)).await
}

#[tauri::command]
pub async fn sign_out(s: State<'_, Shell>, args: NoArgs) -> Result<(), AppError> {
    let _ = args;
    blocking(&s, |s| s.app.sign_out()).await
}

#[tauri::command]
pub async fn touch(s: State<'_, Shell>, args: NoArgs) -> Result<SessionView, AppError> {
    let _ = args;
    blocking(&s, |s| s.app.touch()).await
}

#[tauri::command]
pub async fn lock(s: State<'_, Shell>, args: NoArgs) -> Result<SessionView, AppError> {
    let _ = args;
    blocking(&s, |s| s.app.lock()).await
}

#[tauri::command]
pub async fn unlock(s: State<'_, Shell>, args: UnlockArgs) -> Result<SessionView, AppError> {
    blocking(&s, move |s| s.app.unlock(&args.password)).await
}

#[tauri::command]
pub async fn set_purpose(
    s: State<'_, Shell>,
    args: SetPurposeArgs,
) -> Result<SessionView, AppError> {
    blocking(&s, move |s| s.app.set_purpose(&args.purpose)).await
}

#[tauri::command]
pub async fn list_clerks(s: State<'_, Shell>, args: NoArgs) -> Result<Vec<ClerkView>, AppError> {
    let _ = args;
    blocking(&s, |s| s.app.list_clerks()).await
}

#[tauri::command]
pub async fn create_clerk(
    s: State<'_, Shell>,
    args: CreateClerkArgs,
) -> Result<ClerkView, AppError> {
    blocking(&s, move |s| s.app.create_clerk(args)).await
}

#[tauri::command]
pub async fn set_clerk_active(
    s: State<'_, Shell>,
    args: SetClerkActiveArgs,
) -> Result<ClerkView, AppError> {
    blocking(&s, move |s| s.app.set_clerk_active(&args.clerk_id, args.active)).await
}

#[tauri::command]
pub async fn list_readers(
    s: State<'_, Shell>,
    args: NoArgs,
) -> Result<Vec<ReaderView>, AppError> {
    let _ = args;
    blocking(&s, |s| Ok(s.cards.readers())).await
}

#[tauri::command]
pub async fn read_card(s: State<'_, Shell>, args: ReadCardArgs) -> Result<(), AppError> {
    blocking(&s, move |s| s.cards.read(args)).await
}

#[tauri::command]
pub async fn history(
    s: State<'_, Shell>,
    args: HistoryArgs,
) -> Result<Vec<HistoryItem>, AppError> {
    blocking(&s, move |s| s.app.history(args)).await
}

#[tauri::command]
pub async fn today(s: State<'_, Shell>, args: NoArgs) -> Result<String, AppError> {
    let _ = args;
    blocking(&s, |s| Ok(s.app.today())).await
}

#[tauri::command]
pub async fn demo_cards(
    s: State<'_, Shell>,
    args: NoArgs,
) -> Result<Vec<DemoCardInfo>, AppError> {
    let _ = args;
    let index = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
    Ok(match &s.inner().demo {
        None => Vec::new(),
        Some(Demo::Fake { cards, .. }) => cards
            .iter()
            .enumerate()
            .map(|(i, (label, card))| DemoCardInfo { index: index(i), label: label.clone(), needs_can: card.can.is_some() })
            .collect(),
        Some(Demo::Sim { cards, .. }) => cards
            .iter()
            .enumerate()
            .map(|(i, card)| DemoCardInfo { index: index(i), label: card.label.clone(), needs_can: false })
            .collect(),
    })
}

fn no_such_card() -> AppError {
    AppError::InvalidInput { field: "Thẻ mẫu".into(), reason: "không có thẻ mẫu này.".into() }
}

#[tauri::command]
pub async fn demo_insert_card(s: State<'_, Shell>, args: DemoCardArgs) -> Result<(), AppError> {
    let i = usize::try_from(args.card).map_err(|_| no_such_card())?;
    match s.inner().demo.clone().ok_or(AppError::NotDemo)? {
        Demo::Fake { service, cards } => {
            let card = cards.get(i).ok_or_else(no_such_card)?;
            service.remove();
            service.insert(card.1.clone());
            Ok(())
        }
        Demo::Sim { sim, service, cards } => {
            let card = cards.get(i).ok_or_else(no_such_card)?.clone();
            // Building the card signs its SOD: off the UI thread.
            tauri::async_runtime::spawn_blocking(move || {
                // The CAN printed on the demo card, as a QR scan would supply it: set before the
                // card is placed, so the automatic read on insertion finds it.
                service.set_key_hint(Simulator::READER, vec![reader::AccessKey::Can(card.profile.can.clone())]);
                sim.insert(&card).map_err(AppError::Card)?;
                Ok(())
            })
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
        }
    }
}

#[tauri::command]
pub async fn demo_remove_card(s: State<'_, Shell>, args: NoArgs) -> Result<(), AppError> {
    let _ = args;
    match s.inner().demo.as_ref().ok_or(AppError::NotDemo)? {
        Demo::Fake { service, .. } => service.remove(),
        Demo::Sim { sim, .. } => {
            let _ = sim.remove();
        }
    }
    Ok(())
}

#[tauri::command]
pub async fn demo_unplug(s: State<'_, Shell>, args: NoArgs) -> Result<(), AppError> {
    let _ = args;
    match s.inner().demo.as_ref().ok_or(AppError::NotDemo)? {
        Demo::Fake { service, .. } => service.unplug(),
        // pcscd's virtual readers cannot be unplugged; unplug a real reader to see this state.
        Demo::Sim { .. } => return Err(AppError::NotDemo),
    }
    Ok(())
}

#[tauri::command]
pub async fn demo_plug(s: State<'_, Shell>, args: NoArgs) -> Result<(), AppError> {
    let _ = args;
    match s.inner().demo.as_ref().ok_or(AppError::NotDemo)? {
        Demo::Fake { service, .. } => service.plug(),
        Demo::Sim { .. } => return Err(AppError::NotDemo),
    }
    Ok(())
}

// ------------------------------------------------------------------ QR identification

#[tauri::command]
pub async fn submit_qr(
    s: State<'_, Shell>,
    args: app_core::qr::SubmitQrArgs,
) -> Result<app_core::qr::QrCitizenView, AppError> {
    blocking(&s, move |s| s.cards.submit_qr(args)).await
}

#[tauri::command]
pub async fn clear_qr(s: State<'_, Shell>, args: NoArgs) -> Result<(), AppError> {
    let _ = args;
    blocking(&s, |s| {
        s.cards.clear_qr();
        Ok(())
    })
    .await
}

fn header_u32(req: &tauri::ipc::Request<'_>, name: &str) -> Result<u32, AppError> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| AppError::InvalidInput {
            field: "Khung hình camera".into(),
            reason: format!("thiếu tiêu đề {name}."),
        })
}

/// One grey camera frame as the raw IPC body, `x-width` / `x-height` in the headers. Decoded on
/// a blocking thread; the UI drops frames while one is in flight.
#[tauri::command]
pub async fn decode_frame(
    request: tauri::ipc::Request<'_>,
) -> Result<Option<app_core::qr::FrameDecode>, AppError> {
    let w = header_u32(&request, "x-width")?;
    let h = header_u32(&request, "x-height")?;
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(AppError::InvalidInput {
            field: "Khung hình camera".into(),
            reason: "cần gửi điểm ảnh dạng nhị phân.".into(),
        });
    };
    let bytes = bytes.clone();
    tauri::async_runtime::spawn_blocking(move || crate::scan::decode(w, h, &bytes))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
}

#[tauri::command]
pub async fn serial_status(
    s: State<'_, Shell>,
    args: NoArgs,
) -> Result<app_core::qr::SerialStatus, AppError> {
    let _ = args;
    blocking(&s, |s| Ok(s.scan.status())).await
}

#[tauri::command]
pub async fn serial_start(
    s: State<'_, Shell>,
    args: app_core::qr::SerialStartArgs,
) -> Result<app_core::qr::SerialStatus, AppError> {
    blocking(&s, move |s| {
        s.app.touch()?;
        s.scan.start(s.cards.clone(), &args.path, args.baud)
    })
    .await
}

#[tauri::command]
pub async fn serial_stop(
    s: State<'_, Shell>,
    args: NoArgs,
) -> Result<app_core::qr::SerialStatus, AppError> {
    let _ = args;
    blocking(&s, |s| {
        s.scan.stop();
        Ok(s.scan.status())
    })
    .await
}

/// The QR printed on a demo card (2021 design), to try the scanners without a real card.
#[tauri::command]
pub async fn demo_qr_payload(s: State<'_, Shell>, args: DemoCardArgs) -> Result<String, AppError> {
    let i = usize::try_from(args.card).map_err(|_| no_such_card())?;
    match s.inner().demo.as_ref().ok_or(AppError::NotDemo)? {
        Demo::Fake { cards, .. } => {
            Ok(app_core::qr::payload_2021(&cards.get(i).ok_or_else(no_such_card)?.1.outcome.citizen))
        }
        Demo::Sim { cards, .. } => Ok(app_core::qr::payload_2021(&cards.get(i).ok_or_else(no_such_card)?.profile.citizen)),
    }
}
