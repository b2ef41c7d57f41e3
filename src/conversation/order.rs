//! Orders as the host returns them, and the lookup round trip.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Where an order is in its life, as the host's order system reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum OrderStatus {
    /// Placed, waiting for the shop to confirm.
    Pending,
    /// Confirmed, not packed yet.
    Confirmed,
    /// Packed, waiting for the carrier.
    Packed,
    /// Handed to the carrier.
    Shipped,
    /// On its way (the carrier has scanned it).
    InTransit,
    /// Delivered.
    Delivered,
    /// Cancelled.
    Cancelled,
    /// Sent back to the shop.
    Returned,
    /// Money returned to the customer.
    Refunded,
    /// Not an order status the host returns: the key of the "no such order"
    /// reply in `conversation.order_status`.
    NotFound,
}

impl OrderStatus {
    /// Every status a host can return (not [`OrderStatus::NotFound`]).
    pub const ALL: [OrderStatus; 9] = [
        OrderStatus::Pending,
        OrderStatus::Confirmed,
        OrderStatus::Packed,
        OrderStatus::Shipped,
        OrderStatus::InTransit,
        OrderStatus::Delivered,
        OrderStatus::Cancelled,
        OrderStatus::Returned,
        OrderStatus::Refunded,
    ];

    /// The snake_case code used in YAML and events (`in_transit`).
    pub fn code(self) -> &'static str {
        match self {
            OrderStatus::Pending => "pending",
            OrderStatus::Confirmed => "confirmed",
            OrderStatus::Packed => "packed",
            OrderStatus::Shipped => "shipped",
            OrderStatus::InTransit => "in_transit",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Returned => "returned",
            OrderStatus::Refunded => "refunded",
            OrderStatus::NotFound => "not_found",
        }
    }

    /// Parses a code (`"in_transit"`).
    pub fn from_code(code: &str) -> Option<OrderStatus> {
        OrderStatus::ALL
            .into_iter()
            .chain([OrderStatus::NotFound])
            .find(|s| s.code() == code)
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An order as the host's order system returns it.
///
/// `phone` and `email` are only compared with what the customer types to
/// verify ownership; they never appear in a reply and are never stored in the
/// [`Session`](super::Session).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Order {
    /// The order id (`DH123456`).
    pub id: String,
    /// Its status.
    pub status: OrderStatus,
    /// The carrier's name (`GHN`), once shipped.
    pub carrier: Option<String>,
    /// The tracking number, once shipped.
    pub tracking: Option<String>,
    /// The expected delivery, as the host wants it shown (`25/11`).
    pub eta: Option<String>,
    /// The phone number on the order, for ownership checks.
    pub phone: Option<String>,
    /// The email on the order, for ownership checks.
    pub email: Option<String>,
}

impl Order {
    /// An order with only an id and a status.
    ///
    /// ```
    /// use firstline::conversation::{Order, OrderStatus};
    /// let order = Order::new("DH123456", OrderStatus::Shipped)
    ///     .carrier("GHN")
    ///     .tracking("GHN778899")
    ///     .eta("27/11")
    ///     .phone("0912345678");
    /// assert_eq!(order.carrier.as_deref(), Some("GHN"));
    /// ```
    pub fn new(id: impl Into<String>, status: OrderStatus) -> Order {
        Order {
            id: id.into(),
            status,
            carrier: None,
            tracking: None,
            eta: None,
            phone: None,
            email: None,
        }
    }

    /// Sets the carrier.
    pub fn carrier(mut self, v: impl Into<String>) -> Order {
        self.carrier = Some(v.into());
        self
    }

    /// Sets the tracking number.
    pub fn tracking(mut self, v: impl Into<String>) -> Order {
        self.tracking = Some(v.into());
        self
    }

    /// Sets the expected delivery.
    pub fn eta(mut self, v: impl Into<String>) -> Order {
        self.eta = Some(v.into());
        self
    }

    /// Sets the phone number on the order.
    pub fn phone(mut self, v: impl Into<String>) -> Order {
        self.phone = Some(v.into());
        self
    }

    /// Sets the email on the order.
    pub fn email(mut self, v: impl Into<String>) -> Order {
        self.email = Some(v.into());
        self
    }
}

/// What kind of lookup failure happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LookupErrorKind {
    /// The order system did not answer in time.
    Timeout,
    /// The order system answered with an error or is down.
    Unavailable,
}

/// The host could not look an order up. The bot apologises and hands off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LookupError {
    kind: LookupErrorKind,
    message: String,
}

impl LookupError {
    /// The order system timed out.
    pub fn timeout() -> LookupError {
        LookupError {
            kind: LookupErrorKind::Timeout,
            message: "order lookup timed out".into(),
        }
    }

    /// The order system failed; `message` is for logs, never shown to the
    /// customer.
    pub fn unavailable(message: impl Into<String>) -> LookupError {
        LookupError {
            kind: LookupErrorKind::Unavailable,
            message: message.into(),
        }
    }

    /// What kind of failure.
    pub fn kind(&self) -> LookupErrorKind {
        self.kind
    }
}

impl fmt::Display for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LookupError {}

/// What the host found when asked to look an order up
/// ([`Outcome::LookupOrder`](super::Outcome::LookupOrder)).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LookupResult {
    /// The order exists.
    Found(Order),
    /// No order has this id.
    NotFound,
    /// The lookup failed.
    Failed(LookupError),
}

impl From<Result<Option<Order>, LookupError>> for LookupResult {
    fn from(r: Result<Option<Order>, LookupError>) -> LookupResult {
        match r {
            Ok(Some(o)) => LookupResult::Found(o),
            Ok(None) => LookupResult::NotFound,
            Err(e) => LookupResult::Failed(e),
        }
    }
}

/// A synchronous order lookup, for hosts that can block:
/// [`Bot::respond`](super::Bot::respond) drives the round trip with it.
pub trait OrderStore {
    /// Looks up one order by its normalised id (`DH123456`).
    fn lookup(&self, order_id: &str) -> Result<Option<Order>, LookupError>;
}

impl<S: OrderStore + ?Sized> OrderStore for &S {
    fn lookup(&self, order_id: &str) -> Result<Option<Order>, LookupError> {
        (**self).lookup(order_id)
    }
}

impl OrderStore for std::collections::HashMap<String, Order> {
    fn lookup(&self, order_id: &str) -> Result<Option<Order>, LookupError> {
        Ok(self.get(order_id).cloned())
    }
}

impl OrderStore for std::collections::BTreeMap<String, Order> {
    fn lookup(&self, order_id: &str) -> Result<Option<Order>, LookupError> {
        Ok(self.get(order_id).cloned())
    }
}
