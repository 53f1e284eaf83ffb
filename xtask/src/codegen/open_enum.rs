//! String enums as *open* Rust enums: one variant per known value plus `Unknown(String)`.
//!
//! typify's closed enums fail to decode a value the vendor adds later, which would break every
//! program built against an older SDK. An open enum keeps the value instead (the AWS SDK does
//! the same). Known values still match as plain variants, and `#[non_exhaustive]` lets a
//! regeneration add variants without a breaking change.

use heck::ToUpperCamelCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::error::{Result, fail};

/// The values of a string enum schema, or `None` when `schema` is not one.
pub fn string_enum_values(schema: &Value) -> Option<Vec<String>> {
    let values = schema.get("enum")?.as_array()?;
    if schema.get("type").is_some_and(|t| t != "string") {
        return None;
    }
    values.iter().map(|v| v.as_str().map(String::from)).collect()
}

/// A Rust variant name for every value, all distinct and none `Unknown`: the vendor's names
/// (`x-enum-varnames`, from titles) where they give distinct names, else the value in upper
/// camel case, with what is not a letter spelled out where it would otherwise be lost (`-1`
/// → `Minus1`, `!=` → `NotEq`, `1.0` → `V1_0`, `""` → `Empty`); a name taken twice gets the
/// value's position as a suffix.
pub fn variant_names(values: &[String], titles: Option<&[String]>) -> Vec<String> {
    if let Some(titles) = titles.filter(|t| t.len() == values.len()) {
        let names: Vec<String> = titles.iter().map(|t| word_name(t)).collect();
        if distinct(&names) {
            return names;
        }
    }
    let mut names: Vec<String> = values.iter().map(|v| word_name(v)).collect();
    let first: Vec<String> = names.clone();
    for i in 0..names.len() {
        if first[..i].contains(&first[i]) || (names[i] == "Unknown") {
            let mut n = i + 1;
            while names.contains(&format!("{}{n}", first[i])) {
                n += 1;
            }
            names[i] =
                if first[i] == "Unknown" && !first[..i].contains(&first[i]) { "UnknownValue".into() } else { format!("{}{n}", first[i]) };
        }
    }
    names
}

fn distinct(names: &[String]) -> bool {
    let set: std::collections::BTreeSet<&String> = names.iter().collect();
    set.len() == names.len() && !names.iter().any(|n| n == "Unknown")
}

/// One value as an identifier in upper camel case.
fn word_name(value: &str) -> String {
    fn spelled(c: char) -> String {
        match c {
            '=' => "Eq".into(),
            '!' => "Not".into(),
            '<' => "Lt".into(),
            '>' => "Gt".into(),
            '~' => "Tilde".into(),
            '^' => "Caret".into(),
            '$' => "Dollar".into(),
            '+' => "Plus".into(),
            '-' => "Minus".into(),
            '*' => "Star".into(),
            '/' => "Slash".into(),
            '.' => "Dot".into(),
            '%' => "Percent".into(),
            '&' => "Amp".into(),
            '|' => "Pipe".into(),
            '@' => "At".into(),
            '#' => "Hash".into(),
            '?' => "Question".into(),
            ':' => "Colon".into(),
            ',' => "Comma".into(),
            ' ' => "Space".into(),
            '_' => "Underscore".into(),
            c => format!("U{:X}", c as u32),
        }
    }
    if value.is_empty() {
        return "Empty".into();
    }
    if !value.chars().any(char::is_alphanumeric) {
        return value.chars().map(spelled).collect();
    }
    // symbols before the first letter or digit say something (`-user` is not `user`)
    let lead: String = value.chars().take_while(|c| !c.is_alphanumeric()).map(spelled).collect();
    let rest: String = value.chars().skip_while(|c| !c.is_alphanumeric()).collect();
    // a dot between digits is kept as `_` (`1.0` is not `10`)
    let chars: Vec<char> = rest.chars().collect();
    let mut kept = String::new();
    for (i, c) in chars.iter().enumerate() {
        let between_digits = i > 0 && chars[i - 1].is_ascii_digit() && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if matches!(c, '.' | ',') && between_digits {
            kept.push('_');
        } else {
            kept.push(*c);
        }
    }
    let camel = kept.split('_').map(|part| part.to_upper_camel_case()).filter(|p| !p.is_empty()).collect::<Vec<_>>();
    let joined = camel.iter().enumerate().fold(String::new(), |mut out, (i, part)| {
        // parts that meet digit to digit keep the `_` between them
        if i > 0 && out.ends_with(|c: char| c.is_ascii_digit()) && part.starts_with(|c: char| c.is_ascii_digit()) {
            out.push('_');
        }
        out.push_str(part);
        out
    });
    let name = format!("{lead}{joined}");
    if name.starts_with(|c: char| c.is_ascii_digit()) { format!("V{name}") } else { name }
}

pub fn generate(name: &str, schema: &Value) -> Result<TokenStream> {
    let Some(values) = string_enum_values(schema) else { fail!("schema `{name}` is not a string enum") };
    let ident = format_ident!("{name}");
    let titles: Option<Vec<String>> = schema
        .get("x-enum-varnames")
        .and_then(Value::as_array)
        .and_then(|names| names.iter().map(|n| n.as_str().map(String::from)).collect());
    let variants: Vec<(String, &String)> = variant_names(&values, titles.as_deref()).into_iter().zip(&values).collect();
    let description = schema.get("description").and_then(Value::as_str).unwrap_or("").to_string();
    let doc = if description.is_empty() { format!("`{name}`") } else { description };
    let idents: Vec<_> = variants.iter().map(|(v, _)| format_ident!("{v}")).collect();
    let wire: Vec<_> = variants.iter().map(|(_, w)| w.as_str()).collect();
    let variant_docs: Vec<_> = wire.iter().map(|w| format!("`{w}`")).collect();
    Ok(quote! {
        #[doc = #doc]
        ///
        /// A value this version of the SDK does not know decodes to `Unknown` instead of failing.
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #ident {
            #( #[doc = #variant_docs] #idents, )*
            /// A value not known to this version of the SDK, kept as it was sent.
            Unknown(::std::string::String),
        }

        impl #ident {
            /// Every value known to this version of the SDK, in the vendor's order.
            pub const KNOWN: &'static [Self] = &[ #( Self::#idents, )* ];

            /// The value as it goes over the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#idents => #wire, )*
                    Self::Unknown(value) => value.as_str(),
                }
            }

            /// Whether this value is one this version of the SDK does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }

        impl ::std::fmt::Display for #ident {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::convert::From<&str> for #ident {
            fn from(value: &str) -> Self {
                match value {
                    #( #wire => Self::#idents, )*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl ::std::convert::From<::std::string::String> for #ident {
            fn from(value: ::std::string::String) -> Self {
                match value.as_str() {
                    #( #wire => Self::#idents, )*
                    _ => Self::Unknown(value),
                }
            }
        }

        impl ::std::str::FromStr for #ident {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl ::serde::Serialize for #ident {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #ident {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                deserializer.deserialize_str(crate::support::OpenEnumVisitor::<Self>::new(#name))
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn recognises_string_enums_only() {
        assert_eq!(string_enum_values(&json!({"type": "string", "enum": ["a", "b"]})), Some(vec!["a".into(), "b".into()]));
        assert_eq!(string_enum_values(&json!({"type": "integer", "enum": [1]})), None);
        assert_eq!(string_enum_values(&json!({"type": "string"})), None);
    }

    #[test]
    fn variants_follow_the_wire_values() {
        let code = generate("Join", &json!({"type": "string", "enum": ["chat-message-follow-ups", "senders"]})).unwrap().to_string();
        assert!(code.contains("ChatMessageFollowUps"), "{code}");
        assert!(code.contains("\"chat-message-follow-ups\" => Self :: ChatMessageFollowUps"), "{code}");
        assert!(code.contains("Unknown (:: std :: string :: String)"), "{code}");
    }

    fn names(values: &[&str]) -> Vec<String> {
        variant_names(&values.iter().map(|v| v.to_string()).collect::<Vec<_>>(), None)
    }

    #[test]
    fn values_that_are_not_identifiers_still_name_distinct_variants() {
        assert_eq!(names(&["1.0", "2.14", "10"]), ["V1_0", "V2_14", "V10"]);
        assert_eq!(names(&["", "-1", "+", "+1"]), ["Empty", "Minus1", "Plus", "Plus1"]);
        assert_eq!(
            names(&["=", "!=", "<", "<=", ">", ">=", "~", "!~", "^", "$"]),
            ["Eq", "NotEq", "Lt", "LtEq", "Gt", "GtEq", "Tilde", "NotTilde", "Caret", "Dollar"]
        );
        assert_eq!(names(&["user", "-user"]), ["User", "MinusUser"]);
        assert_eq!(names(&["a-b", "a_b", "A B", "unknown"]), ["AB", "AB2", "AB3", "UnknownValue"]);
        assert_eq!(names(&["1g", "30m"]), ["V1g", "V30m"]);
    }

    #[test]
    fn the_vendors_names_win_where_they_are_distinct() {
        let values: Vec<String> = ["user", "-user"].map(String::from).to_vec();
        let titles: Vec<String> = ["USER", "NO_USER"].map(String::from).to_vec();
        assert_eq!(variant_names(&values, Some(&titles)), ["User", "NoUser"]);
        let same: Vec<String> = ["A", "A"].map(String::from).to_vec();
        assert_eq!(variant_names(&values, Some(&same)), ["User", "MinusUser"]);
    }

    #[test]
    fn generated_code_has_every_variant() {
        let code = generate("E", &json!({"type": "string", "enum": ["a-b", "a_b"]})).unwrap().to_string();
        assert!(code.contains("\"a-b\" => Self :: AB ,") && code.contains("\"a_b\" => Self :: AB2 ,"), "{code}");
    }
}
