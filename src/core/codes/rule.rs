//! Code rules: a template of fields from which each grid's code is built, e.g. `{village12}{seq:3}` gives
//! 341823100001003 for the 3rd grid of village 341823100001. Counties differ, so the rule is data.

use std::fmt;

/// One piece of a code template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    Literal(String),
    /// The 12-digit statistical code of the grid's village.
    Village12,
    /// Its township's 9 digits.
    Town9,
    /// Its county's 6 digits.
    County6,
    /// 1 for 基础网格, 2 for 专属网格.
    Kind,
    /// The grid's number within its village, zero-padded to this width.
    Seq(usize),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeRule {
    pub parts: Vec<Part>,
    /// 专属网格 take sequence numbers from here up (e.g. 801–999 with `{seq:3}`); `None`: no reserved range.
    pub dedicated_from: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error(
        "code rule {0:?}: unknown field {{{1}}}; fields are {{village12}} {{town9}} {{county6}} {{kind}} {{seq:N}}"
    )]
    UnknownField(String, String),
    #[error("code rule {0:?}: a '{{' is not closed")]
    Unclosed(String),
    #[error("code rule {0:?}: needs exactly one {{seq:N}} (the number within the village)")]
    Sequence(String),
    #[error("code rule {0:?}: {{seq:N}} width must be 1 to 6 digits")]
    Width(String),
    #[error("code rule {0:?}: literal text may only be digits or letters")]
    Literal(String),
}

pub const DEFAULT_RULE: &str = "{village12}{seq:3}";

impl CodeRule {
    /// Parses a template; the reserved range for 专属网格 defaults to the top fifth (801–999 for 3 digits).
    ///
    /// ```
    /// use wangge::core::codes::CodeRule;
    /// let rule = CodeRule::parse("{village12}{seq:3}").unwrap();
    /// assert_eq!(rule.render("341823100001", false, 3), "341823100001003");
    /// assert!(CodeRule::parse("{village}{seq:3}").is_err());
    /// ```
    pub fn parse(template: &str) -> Result<CodeRule, RuleError> {
        let mut parts = Vec::new();
        let mut rest = template;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('{') {
                let end = after.find('}').ok_or_else(|| RuleError::Unclosed(template.into()))?;
                let field = &after[..end];
                parts.push(match field {
                    "village12" => Part::Village12,
                    "town9" => Part::Town9,
                    "county6" => Part::County6,
                    "kind" => Part::Kind,
                    _ => match field.strip_prefix("seq:").map(str::parse::<usize>) {
                        Some(Ok(w)) if (1..=6).contains(&w) => Part::Seq(w),
                        Some(_) => return Err(RuleError::Width(template.into())),
                        None => return Err(RuleError::UnknownField(template.into(), field.into())),
                    },
                });
                rest = &after[end + 1..];
            } else {
                let end = rest.find('{').unwrap_or(rest.len());
                let literal = &rest[..end];
                if !literal.chars().all(|c| c.is_ascii_alphanumeric()) {
                    return Err(RuleError::Literal(template.into()));
                }
                parts.push(Part::Literal(literal.into()));
                rest = &rest[end..];
            }
        }
        let seqs: Vec<usize> =
            parts.iter().filter_map(|p| if let Part::Seq(w) = p { Some(*w) } else { None }).collect();
        let [width] = seqs[..] else { return Err(RuleError::Sequence(template.into())) };
        let max = 10u32.pow(width as u32) - 1;
        // 801 for three digits, 81 for two; a one-digit sequence has no room to reserve.
        let dedicated_from = (width >= 2).then(|| max - max / 5 + 1);
        Ok(CodeRule { parts, dedicated_from })
    }

    pub fn seq_width(&self) -> usize {
        self.parts.iter().find_map(|p| if let Part::Seq(w) = p { Some(*w) } else { None }).unwrap_or(3)
    }

    pub fn max_seq(&self) -> u32 {
        10u32.pow(self.seq_width() as u32) - 1
    }

    /// The code of grid number `seq` of `village` (12 digits).
    pub fn render(&self, village: &str, dedicated: bool, seq: u32) -> String {
        let digits = |n: usize| village.get(..n).unwrap_or(village).to_string();
        self.parts
            .iter()
            .map(|p| match p {
                Part::Literal(s) => s.clone(),
                Part::Village12 => digits(12),
                Part::Town9 => digits(9),
                Part::County6 => digits(6),
                Part::Kind => if dedicated { "2" } else { "1" }.to_string(),
                Part::Seq(w) => format!("{seq:0w$}"),
            })
            .collect()
    }

    /// The sequence number in `code` if it is a well-formed code for this village and kind.
    pub fn sequence_of(&self, code: &str, village: &str, dedicated: bool) -> Option<u32> {
        let mut rest = code;
        let mut seq = None;
        for p in &self.parts {
            match p {
                Part::Seq(w) => {
                    let digits = rest.get(..*w)?;
                    if !digits.bytes().all(|b| b.is_ascii_digit()) {
                        return None;
                    }
                    seq = Some(digits.parse().ok()?);
                    rest = &rest[*w..];
                }
                other => {
                    let expected = match other {
                        Part::Literal(s) => s.clone(),
                        _ => self.render_part(other, village, dedicated),
                    };
                    rest = rest.strip_prefix(expected.as_str())?;
                }
            }
        }
        seq.filter(|&s| rest.is_empty() && s >= 1)
    }

    fn render_part(&self, part: &Part, village: &str, dedicated: bool) -> String {
        CodeRule { parts: vec![part.clone()], dedicated_from: None }.render(village, dedicated, 0)
    }

    /// The length every code of this rule has.
    pub fn code_len(&self) -> usize {
        self.parts
            .iter()
            .map(|p| match p {
                Part::Literal(s) => s.len(),
                Part::Village12 => 12,
                Part::Town9 => 9,
                Part::County6 => 6,
                Part::Kind => 1,
                Part::Seq(w) => *w,
            })
            .sum()
    }
}

impl fmt::Display for CodeRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.parts {
            match p {
                Part::Literal(s) => f.write_str(s)?,
                Part::Village12 => f.write_str("{village12}")?,
                Part::Town9 => f.write_str("{town9}")?,
                Part::County6 => f.write_str("{county6}")?,
                Part::Kind => f.write_str("{kind}")?,
                Part::Seq(w) => write!(f, "{{seq:{w}}}")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_renders_and_reads_back() {
        let rule = CodeRule::parse("{town9}{kind}{seq:4}").unwrap();
        assert_eq!(rule.render("341823100001", true, 12), "34182310020012");
        assert_eq!(rule.sequence_of("34182310020012", "341823100001", true), Some(12));
        assert_eq!(rule.sequence_of("34182310010012", "341823100001", true), None);
        assert_eq!(rule.code_len(), 14);
        assert_eq!(rule.to_string(), "{town9}{kind}{seq:4}");
        let default = CodeRule::parse(DEFAULT_RULE).unwrap();
        assert_eq!(default.dedicated_from, Some(801));
        assert_eq!(default.sequence_of("341823100001000", "341823100001", false), None);
        assert_eq!(default.sequence_of("34182310000100A", "341823100001", false), None);
    }

    #[test]
    fn bad_templates_say_what_is_wrong() {
        assert!(matches!(CodeRule::parse("{village12}"), Err(RuleError::Sequence(_))));
        assert!(matches!(CodeRule::parse("{village12}{seq:3}{seq:2}"), Err(RuleError::Sequence(_))));
        assert!(matches!(CodeRule::parse("{village12}{seq:9}"), Err(RuleError::Width(_))));
        assert!(matches!(CodeRule::parse("{village12{seq:3}"), Err(RuleError::UnknownField(..))));
        assert!(matches!(CodeRule::parse("{village12}{seq:3"), Err(RuleError::Unclosed(_))));
        assert!(matches!(CodeRule::parse("WG-{seq:3}"), Err(RuleError::Literal(_))));
        let e = CodeRule::parse("{vilage12}{seq:3}").unwrap_err().to_string();
        assert!(e.contains("unknown field {vilage12}"), "{e}");
    }
}
