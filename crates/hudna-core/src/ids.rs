//! Identifier newtypes. Each is built only by `parse`, which checks its shape.

use crate::CoreError;
use std::fmt;

macro_rules! slug_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal, $allow_dash:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Parses an id: 1–64 characters of `a-z`, `0-9`, `_` (and `-` where allowed),
            /// starting with a letter or digit.
            pub fn parse(s: &str) -> Result<Self, CoreError> {
                check_slug(s, $kind, $allow_dash).map(|()| Self(s.to_owned()))
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(&self.0)
            }
        }
        impl std::str::FromStr for $name {
            type Err = CoreError;
            fn from_str(s: &str) -> Result<Self, CoreError> {
                Self::parse(s)
            }
        }
        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

fn check_slug(s: &str, kind: &'static str, allow_dash: bool) -> Result<(), CoreError> {
    let bad = |why| {
        Err(CoreError::InvalidId {
            kind,
            value: s.to_owned(),
            why,
        })
    };
    if s.is_empty() {
        return bad("it is empty");
    }
    if s.len() > 64 {
        return bad("it is longer than 64 characters");
    }
    if !s.as_bytes()[0].is_ascii_alphanumeric() {
        return bad("it must start with a-z or 0-9");
    }
    let ok = s.bytes().all(|b| {
        b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || (allow_dash && b == b'-')
    });
    if !ok {
        return if allow_dash {
            bad("only a-z, 0-9, '_' and '-' are allowed")
        } else {
            bad("only a-z, 0-9 and '_' are allowed")
        };
    }
    Ok(())
}

slug_id!(
    /// An agreement, e.g. `astana-2017`.
    AgreementId, "agreement id", true);
slug_id!(
    /// A party to an agreement, e.g. `russia`, `syrian_government`.
    PartyId, "party id", false);
slug_id!(
    /// A zone of an agreement, e.g. `idlib`, `m4_corridor`.
    ZoneId, "zone id", false);
slug_id!(
    /// A rule, round, commitment or post id.
    LocalId, "id", true);

/// A GeoNames feature id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct GeonameId(u32);

impl GeonameId {
    pub fn parse(s: &str) -> Result<Self, CoreError> {
        match s.trim().parse::<u32>() {
            Ok(n) if n > 0 => Ok(Self(n)),
            _ => Err(CoreError::InvalidId {
                kind: "geonameid",
                value: s.to_owned(),
                why: "a GeoNames id is a positive integer",
            }),
        }
    }
    pub fn new(n: u32) -> Option<Self> {
        (n > 0).then_some(Self(n))
    }
    pub fn get(self) -> u32 {
        self.0
    }
}

impl fmt::Display for GeonameId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An ISO 3166-2 subdivision code such as `SY-ID`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
#[allow(non_camel_case_types)]
pub struct Iso3166_2(String);

impl Iso3166_2 {
    pub fn parse(s: &str) -> Result<Self, CoreError> {
        let b = s.as_bytes();
        let ok = b.len() >= 4
            && b.len() <= 6
            && b[0].is_ascii_uppercase()
            && b[1].is_ascii_uppercase()
            && b[2] == b'-'
            && b[3..]
                .iter()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(CoreError::InvalidId {
                kind: "ISO 3166-2 code",
                value: s.to_owned(),
                why: "expected two capital letters, '-', then 1-3 capitals or digits (e.g. SY-ID)",
            })
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Iso3166_2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_check_their_shape() {
        assert!(ZoneId::parse("eastern_ghouta").is_ok());
        assert!(ZoneId::parse("eastern-ghouta").is_err());
        assert!(AgreementId::parse("astana-2017").is_ok());
        assert!(AgreementId::parse("Astana").is_err());
        assert!(PartyId::parse("").is_err());
        assert!(PartyId::parse("_x").is_err());
        assert_eq!(GeonameId::parse("172994").unwrap().get(), 172994);
        assert!(GeonameId::parse("0").is_err());
        assert!(Iso3166_2::parse("SY-ID").is_ok());
        assert!(Iso3166_2::parse("sy-id").is_err());
        assert!(Iso3166_2::parse("SYID").is_err());
    }
}
