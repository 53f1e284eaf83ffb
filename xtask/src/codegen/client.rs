//! `zaia-client/src/generated.rs`: the progenitor client, builder style, with every component
//! schema replaced by the models crate's type so the two crates share one set of types.

use progenitor_impl::{GenerationSettings, Generator, InterfaceStyle, TagStyle, TypeImpl};
use serde_json::Value;

use super::{component_schemas, format_file, open_enum, to_openapi};
use crate::config::Config;
use crate::error::{Result, fail};

pub fn generate(spec: &Value, config: &Config) -> Result<String> {
    let mut settings = GenerationSettings::new();
    settings.with_derive("PartialEq");
    settings.with_interface(InterfaceStyle::Builder).with_tag(TagStyle::Merged);
    for (name, schema) in component_schemas(spec) {
        let impls: Vec<TypeImpl> = if open_enum::string_enum_values(schema).is_some() {
            vec![TypeImpl::Display, TypeImpl::FromStr]
        } else {
            vec![]
        };
        settings.with_replacement(name, format!("{}::{name}", config.models_crate), impls.into_iter());
    }
    let api = to_openapi(spec, "merged spec")?;
    let mut generator = Generator::new(&settings);
    let tokens = match generator.generate_tokens(&api) {
        Ok(t) => t,
        Err(e) => fail!("client: progenitor rejected the merged spec: {e}"),
    };
    format_file(tokens, "client")
}
