use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A field of a request body that can be left out, cleared, or set.
///
/// Optional, nullable fields of request bodies use this type instead of `Option<T>`, because
/// "leave it as it is" (the field is absent) and "clear it" (the field is `null`) are different
/// requests.
///
/// ```
/// use zaia_models::Patch;
///
/// let reason: Patch<String> = Patch::Null;              // sends "reason": null
/// let unchanged: Patch<String> = Patch::default();      // sends nothing
/// let set = Patch::from("out of office".to_string());   // sends "reason": "out of office"
/// assert!(unchanged.is_absent());
/// assert_eq!(set.as_value().map(String::as_str), Some("out of office"));
/// # let _ = reason;
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Patch<T> {
    /// Leave the field out of the request: the server keeps its value.
    #[default]
    Absent,
    /// Send `null`: the server clears the field.
    Null,
    /// Send this value.
    Value(T),
}

impl<T> Patch<T> {
    /// Whether the field is left out (used by `skip_serializing_if`).
    ///
    /// ```
    /// assert!(zaia_models::Patch::<u8>::Absent.is_absent());
    /// ```
    pub fn is_absent(&self) -> bool {
        matches!(self, Patch::Absent)
    }

    /// Whether the field is sent as `null`.
    ///
    /// ```
    /// assert!(zaia_models::Patch::<u8>::Null.is_null());
    /// ```
    pub fn is_null(&self) -> bool {
        matches!(self, Patch::Null)
    }

    /// The value, if one is set.
    ///
    /// ```
    /// assert_eq!(zaia_models::Patch::Value(3).as_value(), Some(&3));
    /// ```
    pub fn as_value(&self) -> Option<&T> {
        match self {
            Patch::Value(v) => Some(v),
            _ => None,
        }
    }

    /// `Some(v)` sets the value, `None` clears it (sends `null`).
    ///
    /// ```
    /// assert_eq!(zaia_models::Patch::set_or_clear(None::<u8>), zaia_models::Patch::Null);
    /// assert_eq!(zaia_models::Patch::set_or_clear(Some(1)), zaia_models::Patch::Value(1));
    /// ```
    pub fn set_or_clear(value: Option<T>) -> Self {
        value.map_or(Patch::Null, Patch::Value)
    }
}

impl<T> From<T> for Patch<T> {
    fn from(value: T) -> Self {
        Patch::Value(value)
    }
}

impl<T: Serialize> Serialize for Patch<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Patch::Value(v) => serializer.serialize_some(v),
            // `Absent` is normally skipped by `skip_serializing_if`; on its own it is `null`.
            Patch::Null | Patch::Absent => serializer.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    /// A present field is `Null` or `Value`; an absent one gets `Absent` from `#[serde(default)]`.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Option::<T>::deserialize(deserializer).map(Patch::set_or_clear)
    }
}
