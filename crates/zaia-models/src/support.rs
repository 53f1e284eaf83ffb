//! Support code the generated types call. Not part of the public API.

use std::fmt;
use std::marker::PhantomData;

/// Deserialises an open enum from a string without allocating for known values.
pub struct OpenEnumVisitor<T> {
    name: &'static str,
    _marker: PhantomData<T>,
}

impl<T> OpenEnumVisitor<T> {
    pub fn new(name: &'static str) -> Self {
        OpenEnumVisitor { name, _marker: PhantomData }
    }
}

impl<T> serde::de::Visitor<'_> for OpenEnumVisitor<T>
where
    T: for<'a> From<&'a str> + From<String>,
{
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} string", self.name)
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<T, E> {
        Ok(T::from(value))
    }

    fn visit_string<E: serde::de::Error>(self, value: String) -> Result<T, E> {
        Ok(T::from(value))
    }
}
