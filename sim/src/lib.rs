#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod config;
mod device;
mod queue;
mod reconciler;
mod report;
mod rng;
mod sim;

pub use config::{SimConfig, SimError};
pub use report::{ConvergeDays, EventCounts, Progress, Report, RolloutReport, Stuck};
pub use sim::Simulation;
