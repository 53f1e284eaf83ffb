//! Round trip: for every operation, the answer the mock synthesises from the spec decodes as
//! the SDK's type for it. The table of types (`generated.rs`) is written by
//! `cargo xtask generate`, so an API dropped in beside Zaia's is checked with no edit.

#[rustfmt::skip]
mod generated;

use zaia_mock::spec;

#[test]
fn every_success_answer_the_spec_allows_decodes_as_the_sdk_type() {
    let operations = spec::spec().operations();
    let mut failures = Vec::new();
    let mut decoded = 0;
    for op in operations {
        let Some((_, decode)) = generated::DECODERS.iter().find(|(id, _)| *id == op.id) else { continue };
        // several seeds: each picks other union alternatives and enum values
        for seed in 0..4 {
            let (_, body) = op.example_response(seed, &[]);
            match decode(body.clone()) {
                Ok(()) => decoded += 1,
                Err(e) => {
                    failures.push(format!("{} (seed {seed}): {e}\n  {}", op.id, body.to_string().chars().take(400).collect::<String>()))
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} answers did not decode:\n{}", failures.len(), failures.join("\n"));
    // the table and the mock's spec are of one run of the generator
    assert_eq!(decoded, generated::DECODERS.len() * 4, "an operation in the table is missing from the mock's spec");
}
