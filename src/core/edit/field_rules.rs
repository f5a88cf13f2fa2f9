//! Validation of the attribute form's fields, as the user types: counts are non-negative integers,
//! phones are 11-digit mobiles or landlines, codes follow the project's rule for the grid's village.

use crate::core::codes::CodeRule;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    #[error("a whole number ≥ 0 is needed")]
    NotACount,
    #[error("“{0}” is neither an 11-digit mobile number nor a landline (0xx-xxxxxxxx)")]
    BadPhone(String),
    #[error("the code should look like {expected} (the rule for this village)")]
    BadCode { expected: String },
}

/// An optional count: empty is “not known”.
///
/// ```
/// use wangge::core::edit::parse_count;
/// assert_eq!(parse_count(" 320 "), Ok(Some(320)));
/// assert_eq!(parse_count(""), Ok(None));
/// assert!(parse_count("-3").is_err() && parse_count("3.5").is_err());
/// ```
pub fn parse_count(text: &str) -> Result<Option<u32>, FieldError> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(FieldError::NotACount);
    }
    t.parse().map(Some).map_err(|_| FieldError::NotACount)
}

/// One or more phone numbers separated by commas, 、 or spaces; each a mobile (1 + 10 digits) or a
/// landline (0 + area code, optional dash, 7–8 digits, optional extension after another dash).
///
/// ```
/// use wangge::core::edit::check_phones;
/// assert!(check_phones("13912345678").is_ok());
/// assert!(check_phones("0563-5021234，13912345678").is_ok());
/// assert!(check_phones("1391234567").is_err());
/// ```
pub fn check_phones(text: &str) -> Result<(), FieldError> {
    for phone in text.split([',', '，', '、', ';', '；', '/', ' ']).map(str::trim).filter(|p| !p.is_empty()) {
        if !(is_mobile(phone) || is_landline(phone)) {
            return Err(FieldError::BadPhone(phone.to_string()));
        }
    }
    Ok(())
}

fn is_mobile(p: &str) -> bool {
    let p = p.strip_prefix("+86").unwrap_or(p);
    p.len() == 11 && p.starts_with('1') && p.bytes().all(|b| b.is_ascii_digit()) && p.as_bytes()[1] >= b'3'
}

fn is_landline(p: &str) -> bool {
    let mut parts = p.split('-');
    let first = parts.next().unwrap_or("");
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (area, number) = if first.starts_with('0') && first.len() <= 4 {
        (first, parts.next().unwrap_or(""))
    } else if first.starts_with('0') {
        // Written without the dash: 3- or 4-digit area code, then 7–8 digits.
        let n = first.len();
        if !(10..=12).contains(&n) {
            return false;
        }
        return digits(first);
    } else {
        ("", first)
    };
    let extension_ok = parts.next().is_none_or(|e| digits(e) && e.len() <= 6) && parts.next().is_none();
    (area.is_empty() || (digits(area) && (3..=4).contains(&area.len())))
        && digits(number)
        && (7..=8).contains(&number.len())
        && extension_ok
}

/// A grid code must follow the rule for its village and kind (an empty code is allowed: not coded yet).
pub fn check_code(code: &str, village: &str, dedicated: bool, rule: &CodeRule) -> Result<(), FieldError> {
    let code = code.trim();
    if code.is_empty() || rule.sequence_of(code, village, dedicated).is_some() {
        return Ok(());
    }
    Err(FieldError::BadCode { expected: rule.render(village, dedicated, 1) })
}
