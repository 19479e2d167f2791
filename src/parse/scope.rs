//! Whose theme or slogan list: national or a region's own.

use crate::entities::Registry;

/// Whose theme or slogan list it is: the whole country, or one
/// provincial-level region (by its canonical name, e.g. `福建省`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// The national Quality Month.
    National,
    /// A region's own.
    Region(String),
}

impl Scope {
    /// The region, for a regional scope.
    pub fn region(&self) -> Option<&str> {
        match self {
            Scope::National => None,
            Scope::Region(r) => Some(r),
        }
    }

    /// Whether this is the national scope.
    pub fn is_national(&self) -> bool {
        *self == Scope::National
    }

    /// The region of `known` named in `text`, else national.
    pub fn of_text(text: &str, known: &Registry) -> Scope {
        known.region_named(text).map_or(Scope::National, Scope::Region)
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scope::National => f.write_str("全国"),
            Scope::Region(r) => f.write_str(r),
        }
    }
}

impl From<&str> for Scope {
    fn from(s: &str) -> Scope {
        if s == "全国" {
            Scope::National
        } else {
            Scope::Region(s.to_string())
        }
    }
}
