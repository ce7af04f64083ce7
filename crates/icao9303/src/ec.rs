//! The elliptic curves of the supported standardized domain parameters, behind byte-level
//! operations (points as uncompressed SEC1, scalars as big-endian bytes).

use crate::error::Error;
use elliptic_curve::sec1::{FromSec1Point, ModulusSize, ToSec1Point};
use elliptic_curve::{
    AffinePoint, CurveArithmetic, FieldBytes, FieldBytesSize, Group, NonZeroScalar,
    ProjectivePoint, PublicKey,
};
use rand_core::CryptoRng;
use zeroize::Zeroizing;

/// A supported curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Curve {
    /// brainpoolP256r1, standardized domain parameter 13.
    BrainpoolP256r1,
    /// NIST P-256 (secp256r1), standardized domain parameter 12.
    NistP256,
}

/// OID of brainpoolP256r1 (RFC 5639).
pub const OID_BRAINPOOL_P256R1: &str = "1.3.36.3.3.2.8.1.1.7";
/// OID of prime256v1 / NIST P-256.
pub const OID_NIST_P256: &str = "1.2.840.10045.3.1.7";

/// Field prime p of brainpoolP256r1 (for matching explicit parameters).
pub(crate) const BP256_P: [u8; 32] =
    hex32("A9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377");
/// Field prime p of NIST P-256.
pub(crate) const P256_P: [u8; 32] =
    hex32("FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF");

const fn hex32(s: &str) -> [u8; 32] {
    let b = s.as_bytes();
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = (nib(b[2 * i]) << 4) | nib(b[2 * i + 1]);
        i += 1;
    }
    out
}

const fn nib(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'A'..=b'F' => c - b'A' + 10,
        _ => 0,
    }
}

impl Curve {
    /// From a standardized domain parameter identifier (TR-03110 part 3, table 4).
    pub fn from_parameter_id(id: u32) -> Option<Self> {
        match id {
            12 => Some(Curve::NistP256),
            13 => Some(Curve::BrainpoolP256r1),
            _ => None,
        }
    }
    /// The standardized domain parameter identifier.
    pub fn parameter_id(self) -> u32 {
        match self {
            Curve::NistP256 => 12,
            Curve::BrainpoolP256r1 => 13,
        }
    }
    /// The named-curve OID.
    pub fn oid(self) -> &'static str {
        match self {
            Curve::NistP256 => OID_NIST_P256,
            Curve::BrainpoolP256r1 => OID_BRAINPOOL_P256R1,
        }
    }
    /// From a named-curve OID.
    pub fn from_oid(oid: &str) -> Option<Self> {
        match oid {
            OID_NIST_P256 => Some(Curve::NistP256),
            OID_BRAINPOOL_P256R1 => Some(Curve::BrainpoolP256r1),
            _ => None,
        }
    }
    /// From the field prime of explicit domain parameters.
    pub fn from_prime(p: &[u8]) -> Option<Self> {
        let p = strip_zeros(p);
        if p == BP256_P {
            Some(Curve::BrainpoolP256r1)
        } else if p == P256_P {
            Some(Curve::NistP256)
        } else {
            None
        }
    }
    /// Length of a field element and of a scalar, in bytes.
    pub fn field_len(self) -> usize {
        32
    }

    /// A fresh private key (nonzero scalar), big-endian.
    pub fn random_scalar<R: CryptoRng + ?Sized>(self, rng: &mut R) -> Zeroizing<Vec<u8>> {
        match self {
            Curve::NistP256 => random::<p256::NistP256, R>(rng),
            Curve::BrainpoolP256r1 => random::<bp256::BrainpoolP256r1, R>(rng),
        }
    }
    /// `scalar · point`, or `scalar · G` when `point` is `None`. Rejects points not on the curve
    /// and an identity result.
    pub fn mul(self, point: Option<&[u8]>, scalar: &[u8]) -> Result<Vec<u8>, Error> {
        match self {
            Curve::NistP256 => mul::<p256::NistP256>(point, scalar),
            Curve::BrainpoolP256r1 => mul::<bp256::BrainpoolP256r1>(point, scalar),
        }
    }
    /// Generic Mapping: `G' = s·G + H`.
    pub fn map_generic(self, s: &[u8], h: &[u8]) -> Result<Vec<u8>, Error> {
        match self {
            Curve::NistP256 => map::<p256::NistP256>(s, h),
            Curve::BrainpoolP256r1 => map::<bp256::BrainpoolP256r1>(s, h),
        }
    }
    /// Checks a public point (on the curve, not the identity).
    pub fn validate(self, point: &[u8]) -> Result<(), Error> {
        match self {
            Curve::NistP256 => decode::<p256::NistP256>(point).map(|_| ()),
            Curve::BrainpoolP256r1 => decode::<bp256::BrainpoolP256r1>(point).map(|_| ()),
        }
    }
}

fn strip_zeros(b: &[u8]) -> &[u8] {
    let skip = b.iter().take_while(|x| **x == 0).count();
    b.get(skip..).unwrap_or(&[])
}

/// The x-coordinate of an uncompressed point.
pub(crate) fn x_coordinate(point: &[u8]) -> Result<&[u8], Error> {
    match point.split_first() {
        Some((0x04, xy)) if xy.len() % 2 == 0 => xy.get(..xy.len() / 2).ok_or(Error::InvalidPoint),
        _ => Err(Error::InvalidPoint),
    }
}

fn random<C, R>(rng: &mut R) -> Zeroizing<Vec<u8>>
where
    C: CurveArithmetic,
    R: CryptoRng + ?Sized,
{
    let k = <NonZeroScalar<C> as elliptic_curve::Generate>::generate_from_rng(rng);
    let bytes: FieldBytes<C> = k.into();
    Zeroizing::new(bytes.to_vec())
}

fn scalar<C: CurveArithmetic>(bytes: &[u8]) -> Result<NonZeroScalar<C>, Error> {
    let mut fb = FieldBytes::<C>::default();
    let n = fb.len();
    let b = strip_zeros(bytes);
    if b.len() > n {
        return Err(Error::InvalidKey);
    }
    if let Some(dst) = fb.get_mut(n - b.len()..) {
        dst.copy_from_slice(b);
    }
    Option::from(NonZeroScalar::<C>::from_repr(fb)).ok_or(Error::InvalidKey)
}

fn decode<C>(point: &[u8]) -> Result<ProjectivePoint<C>, Error>
where
    C: CurveArithmetic,
    FieldBytesSize<C>: ModulusSize,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
{
    if point.first() != Some(&0x04) {
        return Err(Error::InvalidPoint);
    }
    PublicKey::<C>::from_sec1_bytes(point)
        .map(|pk| pk.to_projective())
        .map_err(|_| Error::InvalidPoint)
}

fn encode<C>(p: ProjectivePoint<C>) -> Result<Vec<u8>, Error>
where
    C: CurveArithmetic,
    FieldBytesSize<C>: ModulusSize,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
{
    if bool::from(p.is_identity()) {
        return Err(Error::InvalidPoint);
    }
    let a: AffinePoint<C> = p.into();
    Ok(a.to_sec1_point(false).as_bytes().to_vec())
}

fn mul<C>(point: Option<&[u8]>, k: &[u8]) -> Result<Vec<u8>, Error>
where
    C: CurveArithmetic,
    FieldBytesSize<C>: ModulusSize,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
{
    let base = match point {
        Some(p) => decode::<C>(p)?,
        None => ProjectivePoint::<C>::generator(),
    };
    let k = scalar::<C>(k)?;
    encode::<C>(base * *k)
}

fn map<C>(s: &[u8], h: &[u8]) -> Result<Vec<u8>, Error>
where
    C: CurveArithmetic,
    FieldBytesSize<C>: ModulusSize,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
{
    let h = decode::<C>(h)?;
    let s = scalar::<C>(s)?;
    encode::<C>(ProjectivePoint::<C>::generator() * *s + h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::hex;

    /// ICAO 9303-11 Appendix G.1 (ECDH Generic Mapping on brainpoolP256r1).
    #[test]
    fn appendix_g_mapping() {
        let c = Curve::BrainpoolP256r1;
        let t = hex("7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99");
        let pk_map_pcd = c.mul(None, &t).unwrap();
        assert_eq!(
            pk_map_pcd,
            hex("047ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D")
        );
        let pk_map_picc = hex("04824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F5730D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C54");
        let h = c.mul(Some(&pk_map_picc), &t).unwrap();
        assert_eq!(
            h,
            hex("0460332EF2450B5D247EF6D3868397D398852ED6E8CAF6FFEEF6BF85CA57057FD50840CA7415BAF3E43BD414D35AA4608B93A2CAF3A4E3EA4E82C9C13D03EB7181")
        );
        let g2 = c
            .map_generic(&hex("3F00C4D39D153F2B2A214A078D899B22"), &h)
            .unwrap();
        assert_eq!(
            g2,
            hex("048CED63C91426D4F0EB1435E7CB1D74A46723A0AF21C89634F65A9AE87A9265E28C879506743F8611AC33645C5B985C80B5F09A0B83407C1B6A4D857AE76FE522")
        );
        let t2 = hex("A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595");
        assert_eq!(
            c.mul(Some(&g2), &t2).unwrap(),
            hex("042DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB36462")
        );
    }

    #[test]
    fn rejects_bad_points() {
        let c = Curve::NistP256;
        let mut g = c.mul(None, &[1]).unwrap();
        assert_eq!(g.len(), 65);
        c.validate(&g).unwrap();
        if let Some(b) = g.get_mut(40) {
            *b ^= 1;
        }
        assert_eq!(c.validate(&g), Err(Error::InvalidPoint));
        assert_eq!(c.mul(Some(&[0x04, 1, 2]), &[1]), Err(Error::InvalidPoint));
        assert_eq!(c.mul(None, &[0]), Err(Error::InvalidKey));
        assert_eq!(Curve::from_prime(&BP256_P), Some(Curve::BrainpoolP256r1));
    }
}
