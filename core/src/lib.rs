#![doc = include_str!("../README.md")]
#![no_std]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod arith;
#[cfg(feature = "alloc")]
pub mod cert;
pub mod compact;
pub mod error;
#[cfg(feature = "alloc")]
mod json_fields;
#[cfg(feature = "alloc")]
mod json_read;
#[cfg(feature = "alloc")]
mod json_write;
pub mod manifest;
pub mod mcuboot;
pub mod retry;
pub mod sample;
pub mod signature;
pub mod signed_catalog;
#[cfg(feature = "alloc")]
mod text;
pub mod version;
#[cfg(feature = "serde")]
mod wire;

pub use error::ErrorCode;

#[cfg(feature = "alloc")]
pub mod campaign;
#[cfg(feature = "alloc")]
pub mod catalog;
#[cfg(feature = "alloc")]
pub mod explain;
#[cfg(feature = "alloc")]
pub mod graph;
#[cfg(feature = "alloc")]
pub mod lint;
#[cfg(feature = "alloc")]
pub mod plan;
pub mod reconcile;
#[cfg(feature = "alloc")]
pub mod rollout;
