//! How source attribute names map onto model fields: by known names (English and the Chinese headers
//! county offices use), case-insensitively, or by an explicit `--map model_field=source_field`.

use std::collections::BTreeMap;

use super::error::Problem;
use super::source::{FieldValue, SourceFeature};

/// A model field and the source names it is recognised by, first match wins.
pub struct ModelField {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
}

pub const GRID_FIELDS: &[ModelField] = &[
    ModelField { name: "code", aliases: &["code", "grid_code", "网格编码", "网格代码", "编码", "wgbm"] },
    ModelField { name: "name", aliases: &["name", "grid_name", "网格名称", "名称", "wgmc"] },
    ModelField { name: "kind", aliases: &["kind", "grid_kind", "type", "网格类型", "类型"] },
    ModelField { name: "class", aliases: &["class", "urban_rural", "城乡类型", "城乡"] },
    ModelField {
        name: "village_code",
        aliases: &["village_code", "village_cd", "village", "所属村代码", "村社区代码", "所属村", "cun_code"],
    },
    ModelField { name: "households", aliases: &["households", "hh", "户数", "住户数"] },
    ModelField { name: "population", aliases: &["population", "pop", "人口", "人口数", "常住人口"] },
    ModelField { name: "party_members", aliases: &["party_members", "party_mem", "party", "党员", "党员数"] },
    ModelField { name: "grid_head", aliases: &["grid_head", "head", "网格长"] },
    ModelField { name: "grid_staff", aliases: &["grid_staff", "staff", "网格员"] },
    ModelField { name: "phone", aliases: &["phone", "tel", "电话", "联系电话"] },
    ModelField { name: "notes", aliases: &["notes", "note", "remark", "备注"] },
    ModelField { name: "valid_from", aliases: &["valid_from", "生效日期"] },
    ModelField { name: "valid_to", aliases: &["valid_to", "失效日期"] },
];

pub const DIVISION_FIELDS: &[ModelField] = &[
    ModelField { name: "code", aliases: &["code", "区划代码", "统计用区划代码", "adcode"] },
    ModelField { name: "name", aliases: &["name", "名称", "区划名称"] },
    ModelField { name: "parent_code", aliases: &["parent_code", "parent", "上级代码", "streetcode", "areacode"] },
    ModelField { name: "class", aliases: &["class", "urban_rural", "城乡类型", "城乡"] },
];

pub const HOUSEHOLD_FIELDS: &[ModelField] = &[
    ModelField { name: "households", aliases: &["households", "count", "hh", "户数"] },
    ModelField { name: "population", aliases: &["population", "pop", "人口", "人口数"] },
];

/// A reference feature's name: a road's, a river's (`--name-field` picks another).
pub const REFERENCE_FIELDS: &[ModelField] = &[ModelField {
    name: "name",
    aliases: &[
        "name",
        "名称",
        "道路名称",
        "河流名称",
        "路名",
        "河名",
        "mc",
        "road_name",
        "roadname",
        "name_zh",
        "fullname",
    ],
}];

pub const BOUNDARY_FIELDS: &[ModelField] = &[ModelField { name: "name", aliases: &["name", "名称"] }];

/// Resolved mapping: model field → the source field it reads from.
#[derive(Debug, Default)]
pub struct FieldMapping(BTreeMap<&'static str, String>);

impl FieldMapping {
    /// Resolves which source field feeds each model field. `explicit` holds the user's `--map` pairs and
    /// must name known model fields and existing source fields.
    pub fn resolve(
        model: &[ModelField],
        source_names: &[String],
        explicit: &BTreeMap<String, String>,
    ) -> Result<FieldMapping, Problem> {
        let mut map = BTreeMap::new();
        for (model_name, source_name) in explicit {
            let field = model.iter().find(|f| f.name == model_name.as_str()).ok_or_else(|| {
                let known = model.iter().map(|f| f.name).collect();
                Problem::UnknownModelField { field: model_name.clone(), known }
            })?;
            let actual = source_names.iter().find(|s| s.eq_ignore_ascii_case(source_name)).ok_or_else(|| {
                Problem::NoSuchSourceField {
                    field: model_name.clone(),
                    source_field: source_name.clone(),
                    available: source_names.to_vec(),
                }
            })?;
            map.insert(field.name, actual.clone());
        }
        for field in model {
            if map.contains_key(field.name) {
                continue;
            }
            let hit =
                field.aliases.iter().find_map(|alias| source_names.iter().find(|s| s.eq_ignore_ascii_case(alias)));
            if let Some(source) = hit {
                map.insert(field.name, source.clone());
            }
        }
        Ok(FieldMapping(map))
    }

    pub fn source_of(&self, model_field: &str) -> Option<&str> {
        self.0.get(model_field).map(String::as_str)
    }

    /// The value of a model field for one feature (Null when unmapped or absent).
    pub fn get<'f>(&self, feature: &'f SourceFeature, model_field: &str) -> &'f FieldValue {
        const NULL: &FieldValue = &FieldValue::Null;
        self.source_of(model_field).and_then(|s| feature.fields.get(s)).unwrap_or(NULL)
    }

    pub fn text(&self, feature: &SourceFeature, model_field: &str) -> String {
        self.get(feature, model_field).as_text()
    }

    /// A non-negative whole number, or None when empty; an error message otherwise.
    pub fn count(&self, feature: &SourceFeature, model_field: &str) -> Result<Option<u32>, Problem> {
        let value = self.get(feature, model_field);
        if value.is_null() {
            return Ok(None);
        }
        let text = value.as_text();
        let bad = || Problem::NotACount { field: model_field.to_string(), text: text.clone() };
        match value {
            FieldValue::Int(i) => u32::try_from(*i).map(Some).map_err(|_| bad()),
            FieldValue::Real(r) if r.fract() == 0.0 && *r >= 0.0 && *r <= u32::MAX as f64 => Ok(Some(*r as u32)),
            FieldValue::Text(t) => t.trim().parse::<u32>().map(Some).map_err(|_| bad()),
            _ => Err(bad()),
        }
    }
}

/// Parses `model_field=source_field` pairs from the command line.
/// A `--map` pair that is not `model_field=source_field` (said in words by `text::io_errors`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("--map {pair:?}: expected model_field=source_field")]
pub struct BadMapPair {
    pub pair: String,
}

pub fn parse_map_args(pairs: &[String]) -> Result<BTreeMap<String, String>, BadMapPair> {
    pairs
        .iter()
        .map(|p| {
            p.split_once('=')
                .map(|(a, b)| (a.trim().to_string(), b.trim().to_string()))
                .filter(|(a, b)| !a.is_empty() && !b.is_empty())
                .ok_or_else(|| BadMapPair { pair: p.clone() })
        })
        .collect()
}
