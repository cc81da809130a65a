//! The walk plan: a parsed Avro schema flattened once per schema id into a table of nodes, with
//! named types resolved to indexes and field names and enum symbols kept both as text (for
//! `serde_json::Value`) and as escaped JSON (for writing straight to the output).

use std::collections::HashMap;

use apache_avro::Schema;
use apache_avro::schema::{InnerDecimalSchema, Name, UuidSchema};

/// An index into `Plan::nodes`.
pub(super) type NodeId = u32;

/// One schema node; containers name their children by index.
#[derive(Debug, Clone)]
pub(super) enum Node {
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
    Fixed(usize),
    Array(NodeId),
    Map(NodeId),
    /// `Plan::branches[start..start + len]`.
    Union {
        start: u32,
        len: u32,
    },
    /// `Plan::fields[start..start + len]`; `unique`: no two fields share a name.
    Record {
        start: u32,
        len: u32,
        unique: bool,
    },
    /// `Plan::labels[start..start + len]`.
    Enum {
        start: u32,
        len: u32,
    },
    /// The unscaled integer in a fixed of this size, or length-prefixed bytes when None.
    Decimal {
        fixed: Option<usize>,
        scale: usize,
    },
    BigDecimal,
    UuidString,
    UuidBytes,
    UuidFixed(usize),
    Date,
    TimeMillis,
    TimeMicros,
    /// `digits`: 3, 6 or 9 fractional digits; `utc`: ends with `Z`.
    Timestamp {
        digits: u32,
        utc: bool,
    },
    Duration(usize),
    /// A named type used by name: costs a level of depth, as the schema tree does.
    Ref(NodeId),
    /// A name no schema defines: an error when a datum reaches it.
    Unknown(Box<str>),
}

/// A record field or an enum symbol.
#[derive(Debug)]
pub(super) struct Label {
    /// The name as it is.
    pub text: String,
    /// The name as a JSON string, quotes included.
    pub json: Box<[u8]>,
}

impl Label {
    fn new(text: &str) -> Label {
        let mut json = Vec::with_capacity(text.len() + 2);
        crate::render::json_str_into(text, &mut json);
        Label {
            text: text.to_string(),
            json: json.into_boxed_slice(),
        }
    }
}

/// A record field: its name and its node.
#[derive(Debug)]
pub(super) struct Field {
    pub label: Label,
    pub node: NodeId,
}

/// The flattened schema.
#[derive(Debug)]
pub(super) struct Plan {
    pub nodes: Vec<Node>,
    pub fields: Vec<Field>,
    pub branches: Vec<NodeId>,
    pub labels: Vec<Label>,
    /// The parts of a duration, as labels.
    pub duration: [Label; 3],
    pub root: NodeId,
}

impl Plan {
    /// Flattens `root`, resolving names through `names`.
    pub fn new(root: &Schema, names: &HashMap<Name, Schema>) -> Plan {
        let [m, d, s] = super::super::logical::DURATION_FIELDS;
        let mut b = Builder {
            plan: Plan {
                nodes: Vec::new(),
                fields: Vec::new(),
                branches: Vec::new(),
                labels: Vec::new(),
                duration: [Label::new(m), Label::new(d), Label::new(s)],
                root: 0,
            },
            names,
            named: HashMap::new(),
        };
        b.plan.root = b.node(root);
        b.plan
    }
}

struct Builder<'s> {
    plan: Plan,
    names: &'s HashMap<Name, Schema>,
    /// Named types already flattened (or being flattened: recursion ends here).
    named: HashMap<&'s Name, NodeId>,
}

impl<'s> Builder<'s> {
    fn push(&mut self, n: Node) -> NodeId {
        self.plan.nodes.push(n);
        (self.plan.nodes.len() - 1) as NodeId
    }

    /// Flattens `schema` at the next free index and returns that index.
    fn node(&mut self, schema: &Schema) -> NodeId {
        let n = match schema {
            Schema::Null => Node::Null,
            Schema::Boolean => Node::Boolean,
            Schema::Int => Node::Int,
            Schema::Long => Node::Long,
            Schema::Float => Node::Float,
            Schema::Double => Node::Double,
            Schema::Bytes => Node::Bytes,
            Schema::String => Node::String,
            Schema::Fixed(f) => Node::Fixed(f.size),
            Schema::Array(a) => {
                let at = self.push(Node::Null);
                let item = self.node(&a.items);
                self.plan.nodes[at as usize] = Node::Array(item);
                return at;
            }
            Schema::Map(m) => {
                let at = self.push(Node::Null);
                let value = self.node(&m.types);
                self.plan.nodes[at as usize] = Node::Map(value);
                return at;
            }
            Schema::Union(u) => {
                let at = self.push(Node::Null);
                let ids: Vec<NodeId> = u.variants().iter().map(|v| self.node(v)).collect();
                let start = self.plan.branches.len() as u32;
                self.plan.branches.extend_from_slice(&ids);
                self.plan.nodes[at as usize] = Node::Union {
                    start,
                    len: ids.len() as u32,
                };
                return at;
            }
            Schema::Record(r) => {
                let at = self.push(Node::Null);
                // Uses of this type by name walk this definition, not a copy of it.
                if let Some((key, _)) = self.names.get_key_value(&r.name) {
                    self.named.entry(key).or_insert(at);
                }
                let ids: Vec<NodeId> = r.fields.iter().map(|f| self.node(&f.schema)).collect();
                let start = self.plan.fields.len() as u32;
                let mut unique = true;
                for (i, (f, id)) in r.fields.iter().zip(ids).enumerate() {
                    unique &= !r.fields[..i].iter().any(|g| g.name == f.name);
                    self.plan.fields.push(Field {
                        label: Label::new(&f.name),
                        node: id,
                    });
                }
                self.plan.nodes[at as usize] = Node::Record {
                    start,
                    len: r.fields.len() as u32,
                    unique,
                };
                return at;
            }
            Schema::Enum(e) => {
                let start = self.plan.labels.len() as u32;
                self.plan
                    .labels
                    .extend(e.symbols.iter().map(|s| Label::new(s)));
                Node::Enum {
                    start,
                    len: e.symbols.len() as u32,
                }
            }
            Schema::Decimal(d) => Node::Decimal {
                fixed: match &d.inner {
                    InnerDecimalSchema::Bytes => None,
                    InnerDecimalSchema::Fixed(f) => Some(f.size),
                },
                scale: d.scale,
            },
            Schema::BigDecimal => Node::BigDecimal,
            Schema::Uuid(u) => match u {
                UuidSchema::String => Node::UuidString,
                UuidSchema::Bytes => Node::UuidBytes,
                UuidSchema::Fixed(f) => Node::UuidFixed(f.size),
            },
            Schema::Date => Node::Date,
            Schema::TimeMillis => Node::TimeMillis,
            Schema::TimeMicros => Node::TimeMicros,
            Schema::TimestampMillis => Node::Timestamp {
                digits: 3,
                utc: true,
            },
            Schema::TimestampMicros => Node::Timestamp {
                digits: 6,
                utc: true,
            },
            Schema::TimestampNanos => Node::Timestamp {
                digits: 9,
                utc: true,
            },
            Schema::LocalTimestampMillis => Node::Timestamp {
                digits: 3,
                utc: false,
            },
            Schema::LocalTimestampMicros => Node::Timestamp {
                digits: 6,
                utc: false,
            },
            Schema::LocalTimestampNanos => Node::Timestamp {
                digits: 9,
                utc: false,
            },
            Schema::Duration(f) => Node::Duration(f.size),
            Schema::Ref { name } => {
                let at = self.push(Node::Null);
                let target = match self.names.get_key_value(name) {
                    Some((key, _)) if self.named.contains_key(key) => self.named[key],
                    Some((key, s)) => {
                        // `node` puts a schema at the next index (containers reserve theirs
                        // before their children), so a recursive type can refer to itself.
                        self.named.insert(key, self.plan.nodes.len() as NodeId);
                        self.node(s)
                    }
                    None => self.push(Node::Unknown(name.to_string().into())),
                };
                self.plan.nodes[at as usize] = Node::Ref(target);
                return at;
            }
        };
        self.push(n)
    }
}
