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

pub fn generate(name: &str, schema: &Value) -> Result<TokenStream> {
    let Some(values) = string_enum_values(schema) else { fail!("schema `{name}` is not a string enum") };
    let ident = format_ident!("{name}");
    let mut variants = Vec::new();
    for value in &values {
        let variant = value.to_upper_camel_case();
        if variant.is_empty() || !variant.starts_with(|c: char| c.is_ascii_alphabetic()) {
            fail!("/components/schemas/{name}: enum value `{value}` gives no Rust variant name");
        }
        if variant == "Unknown" {
            fail!("/components/schemas/{name}: enum value `{value}` clashes with the catch-all variant `Unknown`");
        }
        if variants.iter().any(|(v, _): &(String, &String)| *v == variant) {
            fail!("/components/schemas/{name}: enum values map to the same variant `{variant}`");
        }
        variants.push((variant, value));
    }
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

    #[test]
    fn clashing_values_are_reported() {
        let err = generate("E", &json!({"type": "string", "enum": ["a-b", "a_b"]})).unwrap_err();
        assert_eq!(err.0, "/components/schemas/E: enum values map to the same variant `AB`");
        let err = generate("E", &json!({"type": "string", "enum": ["unknown"]})).unwrap_err();
        assert!(err.0.contains("clashes with the catch-all variant"));
    }
}
