//! What the generated table of limits is made of: a leaf, below both the table
//! (`generated.rs`) and the checker that reads it (`mod.rs`).

/// The documented limits of one operation (generated).
///
/// ```
/// let limits = zaia_ext::validate::limits("create_chat_message").unwrap();
/// assert_eq!(limits.body_schema, Some("CreateChatMessageRequest"));
/// assert!(limits.body.iter().any(|f| f.name == "content"));
/// ```
#[derive(Debug)]
pub struct Limits {
    /// The component the JSON body is, for the rules of [`DESCRIBED`](crate::validate::DESCRIBED).
    pub body_schema: Option<&'static str>,
    /// Query parameters, by wire name (members of object parameters under their own name).
    pub query: &'static [Field],
    /// Header parameters, by header name (the API key's header is not among them).
    pub header: &'static [Field],
    /// Body fields, anywhere in the body.
    pub body: &'static [Field],
}

/// A step from a value to a field inside it.
///
/// ```
/// let limits = zaia_ext::validate::limits("create_chat_message").unwrap();
/// let content = limits.body.iter().find(|f| f.name == "content").unwrap();
/// assert!(matches!(content.steps, [zaia_ext::validate::Step::Key("content")]));
/// ```
#[derive(Debug)]
pub enum Step {
    /// An object's member.
    Key(&'static str),
    /// Every item of an array.
    Each,
}

/// A numeric bound.
///
/// ```
/// let limits = zaia_ext::validate::limits("list_chats").unwrap();
/// let size = limits.query.iter().find(|f| f.name == "pageSize").unwrap();
/// assert!(size.minimum.as_ref().is_some_and(|b| b.value == 1.0 && !b.exclusive));
/// ```
#[derive(Debug)]
pub struct Bound {
    /// The bound.
    pub value: f64,
    /// Whether the bound itself is out.
    pub exclusive: bool,
}

/// The limits of one field (generated).
///
/// ```
/// let limits = zaia_ext::validate::limits("create_chat_message").unwrap();
/// let external = limits.body.iter().find(|f| f.name == "externalId").unwrap();
/// assert_eq!((external.min_length, external.max_length, external.nullable), (Some(3), Some(250), true));
/// ```
#[derive(Debug)]
pub struct Field {
    /// The field as messages name it: `content`, `items[].name`, `pageSize`.
    pub name: &'static str,
    /// Where it is in a body (empty for a query parameter).
    pub steps: &'static [Step],
    /// It must be present (when what holds it is).
    pub required: bool,
    /// `null` is allowed.
    pub nullable: bool,
    /// Characters, at least.
    pub min_length: Option<u64>,
    /// Characters, at most.
    pub max_length: Option<u64>,
    /// The least number.
    pub minimum: Option<Bound>,
    /// The greatest number.
    pub maximum: Option<Bound>,
    /// Items, at least (arrays; repeated query keys).
    pub min_items: Option<u64>,
    /// Items, at most.
    pub max_items: Option<u64>,
    /// A regular expression the text must match.
    pub pattern: Option<&'static str>,
    /// The only values allowed, as text (empty: any).
    pub allowed: &'static [&'static str],
    /// An absolute URL.
    pub uri: bool,
}

impl Limits {
    /// Reads one operation's limits from the generated JSON (`generated::limits_json`) into a
    /// table that lives as long as the program: each operation's once, so what is leaked is
    /// bounded by the API's size. Absent keys are `None`, `false` or empty; a step is a
    /// member's name, or `null` for every item of an array.
    pub(crate) fn leaked_from_json(text: &str) -> Result<&'static Limits, serde_json::Error> {
        use serde_json::Value;
        fn text_of(value: &Value) -> &'static str {
            Box::leak(value.as_str().unwrap_or_default().to_owned().into_boxed_str())
        }
        fn leak<T>(items: Vec<T>) -> &'static [T] {
            Box::leak(items.into_boxed_slice())
        }
        let bound = |value: &Value| -> Option<Bound> {
            let pair = value.as_array()?;
            Some(Bound { value: pair.first()?.as_f64()?, exclusive: pair.get(1).and_then(Value::as_bool).unwrap_or(false) })
        };
        let field = |value: &Value| -> Field {
            let steps: Vec<Step> = value["steps"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|step| if step.is_null() { Step::Each } else { Step::Key(text_of(step)) })
                .collect();
            let allowed: Vec<&'static str> = value["allowed"].as_array().into_iter().flatten().map(text_of).collect();
            Field {
                name: text_of(&value["name"]),
                steps: leak(steps),
                required: value["required"].as_bool().unwrap_or(false),
                nullable: value["nullable"].as_bool().unwrap_or(false),
                min_length: value["min_length"].as_u64(),
                max_length: value["max_length"].as_u64(),
                minimum: bound(&value["minimum"]),
                maximum: bound(&value["maximum"]),
                min_items: value["min_items"].as_u64(),
                max_items: value["max_items"].as_u64(),
                pattern: value["pattern"].as_str().map(|_| text_of(&value["pattern"])),
                allowed: leak(allowed),
                uri: value["uri"].as_bool().unwrap_or(false),
            }
        };
        let doc: Value = serde_json::from_str(text)?;
        let fields = |key: &str| leak(doc[key].as_array().into_iter().flatten().map(field).collect());
        let limits = Limits {
            body_schema: doc["body_schema"].as_str().map(|_| text_of(&doc["body_schema"])),
            query: fields("query"),
            header: fields("header"),
            body: fields("body"),
        };
        Ok(Box::leak(Box::new(limits)))
    }
}
