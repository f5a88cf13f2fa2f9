//! Statistical division codes (统计用区划代码): 6 digits county (GB/T 2260) + 3 township + 3 village.
//! The official list is published with its county row (e.g. `341823,泾县,`): that row is the root of the
//! tree, the parent of its townships.

use std::fmt;

/// A validated 6-digit county code, 9-digit township code or 12-digit village code.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DivisionCode(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DivisionCodeError {
    #[error("division code {0:?} must be 6 (county), 9 (township) or 12 (village) digits")]
    Length(String),
    #[error("division code {0:?} must contain only digits")]
    NotDigits(String),
}

impl DivisionCode {
    /// Accepts 6, 9 or 12 ASCII digits; the statistics bureau also publishes 12-digit township codes padded
    /// with "000", which are folded to 9, and 12-digit county codes padded with "000000", folded to 6.
    ///
    /// ```
    /// use wangge::core::DivisionCode;
    /// let town = DivisionCode::parse("341823100000").unwrap();
    /// assert_eq!(town.as_str(), "341823100");
    /// assert!(DivisionCode::parse("341823000000").unwrap().is_county());
    /// assert!(DivisionCode::parse("34182310000").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<DivisionCode, DivisionCodeError> {
        let text = text.trim();
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DivisionCodeError::NotDigits(text.to_string()));
        }
        match text.len() {
            6 | 9 => Ok(DivisionCode(text.to_string())),
            12 if text.ends_with("000000") => Ok(DivisionCode(text[..6].to_string())),
            12 if text.ends_with("000") => Ok(DivisionCode(text[..9].to_string())),
            12 => Ok(DivisionCode(text.to_string())),
            _ => Err(DivisionCodeError::Length(text.to_string())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_county(&self) -> bool {
        self.0.len() == 6
    }

    pub fn is_township(&self) -> bool {
        self.0.len() == 9
    }

    pub fn is_village(&self) -> bool {
        self.0.len() == 12
    }

    /// The 6-digit county code.
    pub fn county(&self) -> &str {
        &self.0[..6]
    }

    /// The township a village belongs to (its first 9 digits); a township's parent is the county; a
    /// county is the root of the tree.
    pub fn parent(&self) -> Option<&str> {
        match self.0.len() {
            12 => Some(&self.0[..9]),
            9 => Some(self.county()),
            _ => None,
        }
    }

    /// The level as stored in the divisions table's `level` column.
    pub fn level(&self) -> &'static str {
        match self.0.len() {
            12 => "village",
            9 => "township",
            _ => "county",
        }
    }

    /// 001–199 are residents' committees (居委会, urban communities), 200–399 villagers' committees (村委会).
    pub fn default_class(&self) -> super::AreaClass {
        let local: u32 = self.0[self.0.len() - 3..].parse().unwrap_or(0);
        if self.is_village() && local < 200 {
            super::AreaClass::Urban
        } else if self.is_township() && local < 100 {
            // 001–099 are sub-districts (街道), urban by definition.
            super::AreaClass::Urban
        } else {
            super::AreaClass::Rural
        }
    }
}

impl fmt::Display for DivisionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::AreaClass;

    #[test]
    fn classes_follow_the_code_ranges() {
        assert_eq!(DivisionCode::parse("341823100001").unwrap().default_class(), AreaClass::Urban);
        assert_eq!(DivisionCode::parse("341823100201").unwrap().default_class(), AreaClass::Rural);
        assert_eq!(DivisionCode::parse("341823001").unwrap().default_class(), AreaClass::Urban);
        assert_eq!(DivisionCode::parse("341823200").unwrap().default_class(), AreaClass::Rural);
    }

    #[test]
    fn rejects_bad_codes() {
        assert!(matches!(DivisionCode::parse("3418231x0001"), Err(DivisionCodeError::NotDigits(_))));
        assert!(matches!(DivisionCode::parse("3418"), Err(DivisionCodeError::Length(_))));
        assert_eq!(DivisionCode::parse("341823100001").unwrap().parent(), Some("341823100"));
    }

    #[test]
    fn a_county_is_the_root() {
        let county = DivisionCode::parse("341823").unwrap();
        assert!(county.is_county() && !county.is_township() && !county.is_village());
        assert_eq!((county.parent(), county.level()), (None, "county"));
        assert_eq!(DivisionCode::parse("341823100").unwrap().parent(), Some("341823"));
        assert_eq!(DivisionCode::parse("341823000000").unwrap(), county);
        assert!(matches!(DivisionCode::parse("34182"), Err(DivisionCodeError::Length(_))));
    }
}
