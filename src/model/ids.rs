//! Ids are UUIDv7 newtypes: time-ordered, made on any desktop offline, never colliding.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $entity:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
        pub struct $name(Uuid);

        impl $name {
            /// A new id stamped with `unix_ms` (the caller's clock); the rest is random.
            pub fn new(unix_ms: i64) -> Self {
                Self(new_v7(unix_ms))
            }

            /// Parses user input; `field` names the input in the error.
            pub fn parse(s: &str, field: &str) -> Result<Self> {
                Uuid::try_parse(s.trim())
                    .map(Self)
                    .map_err(|_| Error::field(crate::FieldError::new(field, "error-bad-id").arg("value", s)))
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }

            pub const ENTITY: &'static str = $entity;
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
                Uuid::try_parse(s).map(Self)
            }
        }
    };
}

fn new_v7(unix_ms: i64) -> Uuid {
    let ms = unix_ms.max(0) as u64;
    let ts = uuid::Timestamp::from_unix(uuid::NoContext, ms / 1000, ((ms % 1000) * 1_000_000) as u32);
    Uuid::new_v7(ts)
}

id_type!(
    /// A customer: a person or a company.
    CustomerId, "customer"
);
id_type!(
    /// A person at a company customer.
    ContactId, "contact"
);
id_type!(
    /// A call, visit, email or note.
    ActivityId, "activity"
);
id_type!(ProductId, "product");
id_type!(OrderId, "order");
id_type!(OrderLineId, "order-line");
id_type!(
    /// One of Banyan's own users (who signs in).
    UserId, "user"
);
id_type!(
    /// A device (one desktop's database); origin of its changes.
    DeviceId, "device"
);
id_type!(CustomFieldId, "custom-field");
