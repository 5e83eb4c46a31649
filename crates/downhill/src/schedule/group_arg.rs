//! [`GroupArg`]: a scheduler argument PyTorch accepts either as one value for every parameter
//! group or as a list with one value per group (`base_lr = [0.01, 0.02]`), and [`Pick`], which
//! reduces a config to the values of one group.

use std::fmt::{self, Display};

use serde::de::{self, value, Deserializer, IntoDeserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::{Error, Result};

/// One value for every parameter group, or a list with one value per group, as PyTorch's
/// schedulers take `base_lr`, `max_lr`, `min_lr`, `lr_lambda`, `swa_lr` (`_format_param`).
/// Group 0 is the top-level `[optimizer]` (the parameters no `[[optimizer.param_groups]]`
/// entry takes), groups 1, 2, … the `[[optimizer.param_groups]]` entries in file order.
#[derive(Debug, Clone, PartialEq)]
pub enum GroupArg<T> {
    /// The same value for every group.
    One(T),
    /// One value per group.
    Each(Vec<T>),
}

impl<T> From<T> for GroupArg<T> {
    fn from(v: T) -> Self {
        GroupArg::One(v)
    }
}

impl From<&str> for GroupArg<String> {
    fn from(v: &str) -> Self {
        GroupArg::One(v.to_string())
    }
}

impl<T: Clone + Display> GroupArg<T> {
    /// The value of group `g` of `groups`: a list must have exactly `groups` entries, or the
    /// error names `key`.
    pub fn of_group(&self, key: &str, g: usize, groups: usize) -> Result<T> {
        match self {
            GroupArg::One(v) => Ok(v.clone()),
            GroupArg::Each(vs) if vs.len() == groups && g < groups => Ok(vs[g].clone()),
            GroupArg::Each(vs) => Err(Error::param(
                key,
                self,
                &format!(
                    "has {} values, one per parameter group, but the optimizer has {} group{} \
                     ([optimizer] and each [[optimizer.param_groups]] entry)",
                    vs.len(),
                    groups,
                    if groups == 1 { "" } else { "s" }
                ),
            )),
        }
    }
}

impl<T: Display> Display for GroupArg<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GroupArg::One(v) => v.fmt(f),
            GroupArg::Each(vs) => {
                f.write_str("[")?;
                for (i, v) in vs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    v.fmt(f)?;
                }
                f.write_str("]")
            }
        }
    }
}

impl<T: Serialize> Serialize for GroupArg<T> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            GroupArg::One(v) => v.serialize(s),
            GroupArg::Each(vs) => vs.serialize(s),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for GroupArg<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        macro_rules! scalar {
            ($($f:ident($t:ty)),*) => {$(
                fn $f<E: de::Error>(self, v: $t) -> std::result::Result<Self::Value, E> {
                    T::deserialize(v.into_deserializer()).map(GroupArg::One)
                }
            )*};
        }
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = GroupArg<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value, or a list with one value per parameter group")
            }
            scalar!(
                visit_bool(bool),
                visit_i64(i64),
                visit_u64(u64),
                visit_f64(f64)
            );
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Self::Value, E> {
                T::deserialize(value::StrDeserializer::<E>::new(v)).map(GroupArg::One)
            }
            fn visit_string<E: de::Error>(self, v: String) -> std::result::Result<Self::Value, E> {
                T::deserialize(value::StringDeserializer::<E>::new(v)).map(GroupArg::One)
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = seq.next_element()? {
                    out.push(v);
                }
                if out.is_empty() {
                    return Err(de::Error::invalid_length(0, &self));
                }
                Ok(GroupArg::Each(out))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// Reduces a config field to the value of one parameter group: a [`GroupArg`] list becomes
/// that group's value (its length checked against the number of groups); any other field is
/// left as it is. `schedule_config!` calls it on every field.
pub trait Pick {
    /// Keeps group `g` of `groups`; `key` names the field in errors.
    fn pick(&mut self, _key: &str, _g: usize, _groups: usize) -> Result<()> {
        Ok(())
    }
}

impl<T: Clone + Display> Pick for GroupArg<T> {
    fn pick(&mut self, key: &str, g: usize, groups: usize) -> Result<()> {
        *self = GroupArg::One(self.of_group(key, g, groups)?);
        Ok(())
    }
}

impl<T: Pick> Pick for Option<T> {
    fn pick(&mut self, key: &str, g: usize, groups: usize) -> Result<()> {
        match self {
            Some(v) => v.pick(key, g, groups),
            None => Ok(()),
        }
    }
}

impl<T> Pick for Vec<T> {}
// The plain value types (never per group) implement `Pick` in `params.rs`, beside `Omit`.

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_value_or_a_list_and_writes_it_back() {
        let one: GroupArg<f64> = serde_json::from_str("1").unwrap();
        assert_eq!(one, GroupArg::One(1.0));
        let each: GroupArg<f64> = serde_json::from_str("[1, 2.5]").unwrap();
        assert_eq!(each, GroupArg::Each(vec![1.0, 2.5]));
        assert_eq!(serde_json::to_string(&each).unwrap(), "[1.0,2.5]");
        let s: GroupArg<String> = toml::from_str::<toml::Table>(r#"x = ["a", "b"]"#)
            .unwrap()
            .remove("x")
            .unwrap()
            .try_into()
            .unwrap();
        assert_eq!(s, GroupArg::Each(vec!["a".into(), "b".into()]));
        assert!(serde_json::from_str::<GroupArg<f64>>("[]").is_err());
        assert!(serde_json::from_str::<GroupArg<f64>>(r#"{"a": 1}"#).is_err());
        assert!(serde_json::from_str::<GroupArg<f64>>(r#""x""#).is_err());
    }

    #[test]
    fn picks_one_group_and_names_the_key_on_a_length_mismatch() {
        let mut a = GroupArg::Each(vec![1.0, 2.0]);
        assert_eq!(a.of_group("base_lr", 1, 2).unwrap(), 2.0);
        let e = a.of_group("base_lr", 0, 3).unwrap_err().to_string();
        assert!(
            e.contains("base_lr") && e.contains("2 values") && e.contains("3 groups"),
            "{e}"
        );
        a.pick("base_lr", 0, 2).unwrap();
        assert_eq!(a, GroupArg::One(1.0));
        assert_eq!(GroupArg::One(5.0).of_group("k", 3, 4).unwrap(), 5.0);
    }
}
