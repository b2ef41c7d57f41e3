//! Order lookups: the example's own SQLite table, or the shop's backend
//! through an HTTP webhook.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use firstline::conversation::{LookupError, LookupResult, Order, OrderStatus};
use rusqlite::{params, Connection, OptionalExtension};

use crate::store::with_sqlite;

/// Where orders come from.
#[derive(Clone)]
pub enum Orders {
    /// The `orders` table of the server's SQLite file.
    Sqlite(Arc<Mutex<Connection>>),
    /// `GET {url}/{order_id}` on the shop's backend: 200 with the order as
    /// JSON, 404 when there is no such order; anything else, or no answer
    /// within `timeout`, is a failed lookup.
    Webhook {
        /// The HTTP client (keeps connections open).
        client: reqwest::Client,
        /// Base URL, without the trailing slash.
        url: String,
    },
}

/// A demo order: id, status, (carrier, tracking, eta) once shipped, phone.
pub type DemoOrder = (
    &'static str,
    &'static str,
    Option<(&'static str, &'static str, &'static str)>,
    &'static str,
);

/// The demo orders: one per status in the shop's own `DH` shape, and one
/// each in the other shapes the shipped pack recognises (a carrier-style
/// code, a marketplace id, digits only). Every phone ends in 5678.
pub const DEMO_ORDERS: &[DemoOrder] = &[
    ("DH100001", "pending", None, "0912345678"),
    ("DH100002", "confirmed", None, "0922345678"),
    ("DH100003", "packed", None, "0932345678"),
    (
        "DH100004",
        "shipped",
        Some(("GHN", "GHN8842024VN", "05/12")),
        "0942345678",
    ),
    (
        "DH100005",
        "in_transit",
        Some(("GHTK", "S22.BO.4411", "03/12")),
        "0952345678",
    ),
    ("DH100006", "delivered", None, "0962345678"),
    ("DH100007", "cancelled", None, "0972345678"),
    ("DH100008", "returned", None, "0982345678"),
    ("DH100009", "refunded", None, "0992345678"),
    (
        "SPX2411001",
        "in_transit",
        Some(("SPX", "SPXVN0241100187", "04/12")),
        "0903115678",
    ),
    (
        "241125K7QF2M",
        "shipped",
        Some(("J&T", "JT0081234567", "06/12")),
        "0868005678",
    ),
    ("58213", "confirmed", None, "0388775678"),
];

/// Creates the `orders` table and, when it is empty, fills it with
/// [`DEMO_ORDERS`].
pub fn seed(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS orders (
           id TEXT PRIMARY KEY, status TEXT NOT NULL, carrier TEXT, tracking TEXT,
           eta TEXT, phone TEXT, email TEXT)",
    )?;
    let n: i64 = conn.query_row("SELECT COUNT(*) FROM orders", [], |r| r.get(0))?;
    if n == 0 {
        for (id, status, ship, phone) in DEMO_ORDERS {
            let (carrier, tracking, eta) = match ship {
                Some((c, t, e)) => (Some(*c), Some(*t), Some(*e)),
                None => (None, None, None),
            };
            conn.execute(
                "INSERT INTO orders (id, status, carrier, tracking, eta, phone) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![id, status, carrier, tracking, eta, phone],
            )?;
        }
    }
    Ok(())
}

impl Orders {
    /// Looks an order up; never fails, a broken backend is a
    /// [`LookupResult::Failed`] the bot apologises for.
    pub async fn lookup(&self, order_id: &str) -> LookupResult {
        match self {
            Orders::Sqlite(db) => {
                let id = order_id.to_owned();
                let r = with_sqlite(db, move |c| {
                    Ok(c.query_row(
                        "SELECT id, status, carrier, tracking, eta, phone, email FROM orders WHERE id = ?1",
                        params![id],
                        |r| {
                            let status: String = r.get(1)?;
                            let mut o = Order::new(
                                r.get::<_, String>(0)?,
                                OrderStatus::from_code(&status).unwrap_or(OrderStatus::Pending),
                            );
                            o.carrier = r.get(2)?;
                            o.tracking = r.get(3)?;
                            o.eta = r.get(4)?;
                            o.phone = r.get(5)?;
                            o.email = r.get(6)?;
                            Ok(o)
                        },
                    )
                    .optional()?)
                })
                .await;
                match r {
                    Ok(Some(o)) => LookupResult::Found(o),
                    Ok(None) => LookupResult::NotFound,
                    Err(e) => LookupResult::Failed(LookupError::unavailable(e.to_string())),
                }
            }
            Orders::Webhook { client, url } => {
                // Order ids are validated entity values (letters and
                // digits), so they go into the path as they are.
                let r = client.get(format!("{url}/{order_id}")).send().await;
                match r {
                    Err(e) if e.is_timeout() => LookupResult::Failed(LookupError::timeout()),
                    Err(e) => LookupResult::Failed(LookupError::unavailable(e.to_string())),
                    Ok(resp) if resp.status() == reqwest::StatusCode::NOT_FOUND => {
                        LookupResult::NotFound
                    }
                    Ok(resp) if resp.status().is_success() => match resp.json::<Order>().await {
                        Ok(o) => LookupResult::Found(o),
                        Err(e) if e.is_timeout() => LookupResult::Failed(LookupError::timeout()),
                        Err(e) => LookupResult::Failed(LookupError::unavailable(format!(
                            "bad order JSON: {e}"
                        ))),
                    },
                    Ok(resp) => LookupResult::Failed(LookupError::unavailable(format!(
                        "order backend answered {}",
                        resp.status()
                    ))),
                }
            }
        }
    }

    /// A webhook source with a per-lookup timeout.
    pub fn webhook(url: &str, timeout: Duration) -> Result<Orders, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()?;
        Ok(Orders::Webhook {
            client,
            url: url.trim_end_matches('/').to_owned(),
        })
    }
}
