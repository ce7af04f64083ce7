use std::ffi::CString;

use pcsc::{Context, Protocols, Scope, ShareMode};

use crate::card::PcscCard;
use crate::error::PcscError;

/// A PC/SC context that heals itself: when the service was restarted (or a reader was unplugged
/// and the service dropped its handles), the next call establishes a fresh context and retries
/// once, so the caller only sees an error when the service is really gone.
pub struct PcscContext {
    ctx: Option<Context>,
}

impl PcscContext {
    /// Connects to the PC/SC service.
    pub fn establish() -> Result<Self, PcscError> {
        let ctx = Context::establish(Scope::User)?;
        Ok(Self { ctx: Some(ctx) })
    }

    fn context(&mut self) -> Result<&Context, PcscError> {
        if self.ctx.is_none() {
            self.ctx = Some(Context::establish(Scope::User)?);
        }
        self.ctx.as_ref().ok_or(PcscError::NoService)
    }

    /// Runs `f`; when the context turns out to be dead, re-establishes it and runs `f` again.
    fn with_context<T>(
        &mut self,
        f: impl Fn(&Context) -> Result<T, pcsc::Error>,
    ) -> Result<T, pcsc::Error> {
        let first = match self.context() {
            Ok(ctx) => f(ctx),
            Err(_) => Err(pcsc::Error::NoService),
        };
        match first {
            Err(e) if PcscError::context_is_dead(e) => {
                self.ctx = None;
                let ctx = Context::establish(Scope::User)?;
                let again = f(&ctx);
                self.ctx = Some(ctx);
                again
            }
            other => other,
        }
    }

    /// Names of the connected readers (empty when none is connected).
    pub fn readers(&mut self) -> Result<Vec<String>, PcscError> {
        match self.with_context(|ctx| ctx.list_readers_owned()) {
            Ok(names) => Ok(names.into_iter().map(|n| n.to_string_lossy().into_owned()).collect()),
            Err(pcsc::Error::NoReadersAvailable) => Ok(Vec::new()),
            Err(e) => Err(e.into()),
        }
    }

    /// Connects to the card in `reader` (shared mode, T=1 or T=0 as the card offers). The
    /// returned card starts with short-APDU [`iso7816::Capabilities`]; call
    /// [`PcscCard::detect_capabilities`] to find out whether extended APDUs pass.
    pub fn connect(&mut self, reader: &str) -> Result<PcscCard, PcscError> {
        let name =
            CString::new(reader).map_err(|_| PcscError::ReaderNotFound(reader.to_owned()))?;
        let card = self
            .with_context(|ctx| ctx.connect(&name, ShareMode::Shared, Protocols::ANY))
            .map_err(|e| match e {
                pcsc::Error::UnknownReader => PcscError::ReaderNotFound(reader.to_owned()),
                other => PcscError::from(other),
            })?;
        PcscCard::new(card, reader.to_owned())
    }
}
