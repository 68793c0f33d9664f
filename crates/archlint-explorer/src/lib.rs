//! `archlint serve`'s explorer: a local, read-only web page to explore the architecture.
//!
//! The page (one embedded HTML file, no external resources) asks a small JSON API for the
//! packages, a package's imports and the contracts with their broken chains. The analysis comes
//! from the cache; when files change it is redone and the page refreshes itself.
//!
//! The server binds to loopback unless told otherwise, answers only GET and HEAD, serves no
//! files from disk, and refuses requests whose Host header is not one it answers to: its own
//! address, loopback's names, and the names given with `--allow-host` — also when listening on
//! every interface (so a web page elsewhere cannot reach it through DNS rebinding). A fixed pool
//! of workers serves connections, each request must arrive whole within a few seconds, and when
//! the pool and its queue are full a connection is answered `503` at once instead of a thread
//! being spawned for it. The page's script and style are served as files of their own, so the
//! Content-Security-Policy allows no inline script and no framing.

mod http;
mod model;

pub use http::Server;
pub use model::Model;
