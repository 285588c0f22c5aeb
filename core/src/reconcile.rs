//! The reconciler: the scheduler's brain, one device at a time.
//!
//! KeepTruckin's 2020 FOTA scheduler marches each device hop by hop to its target: it adds the device to
//! the job of its next version, waits for the job execution to end, checks the version the
//! device reports, and retries a failed hop at most five times. Here that is two pure
//! functions:
//!
//! * [`apply`]`(&mut state, &event) -> Applied` folds an [`Event`] (job created / succeeded /
//!   failed / expired, device reported a version, target or catalog changed, release yanked,
//!   operator action) into a [`DeviceState`]. Events are idempotent: a duplicate, an
//!   out-of-order or stale event, or a result for a job not in flight changes nothing, and the
//!   returned [`Applied`] says which it was.
//! * [`decide`]`(device_id, &state, &context, now) -> Action`: install release X (with the job
//!   document's expiry), wait until T (campaign start, job in flight, backoff, maintenance
//!   window), expire a job that got no answer, done, hold (no report, rolled back, campaign
//!   over, rollout halted or not open to the device), or give up with a reason.
//!
//! The [`Context`] holds the [`Planner`] (the catalog and the target: a
//! [`crate::campaign::CampaignTable`] or a [`CatalogPlanner`]), the [`RetryPolicy`], the
//! rollout and the [`Timing`]. Time is always an input (`now`, event times): seconds on the
//! caller's clock. A driver loop is: on each event, `apply` then `decide`; on `Install`, create
//! the job and `apply` `job_created`; on `Wait`, ask again at `until`; on `Expire`, `apply`
//! `job_expired`.
//!
//! A device that reports a version it should not have (installed by hand, rolled back) is
//! re-planned from where it really is. A release the device rolled back from is remembered and
//! never offered again (`decide` holds instead of sending the device round the same loop) until
//! the device gets past it, a newer release becomes the next hop instead, or an operator clears
//! it.
//!
//! ```
//! use stepstone::reconcile::{apply, decide, Action, Applied, Context, DeviceState, Event, Planner};
//! use stepstone::retry::{FailureKind, RetryPolicy};
//!
//! // A toy planner over integer versions: 1 -> 2 -> 3.
//! struct Chain;
//! #[derive(Debug)]
//! struct NoPath;
//! impl stepstone::ErrorCode for NoPath { fn code(&self) -> &'static str { "plan.unreachable" } }
//! impl Planner<u64> for Chain {
//!     type Error = NoPath;
//!     fn next_hop(&self, from: &u64) -> Result<Option<u64>, NoPath> {
//!         Ok(if *from < 3 { Some(from + 1) } else { None })
//!     }
//!     fn spelling<'s>(&'s self, _: &'s u64) -> &'s str { "v" }
//! }
//!
//! let policy = RetryPolicy::default();
//! let ctx = Context::new(&Chain, &policy);
//! let mut s = DeviceState::reporting(1u64, 1);
//! let Action::Install { release, job, expires_at, .. } = decide(b"dev-1", &s, &ctx, 0) else { panic!() };
//! assert_eq!((release, job), (2, 1));
//! apply(&mut s, &Event::JobCreated { job, release, at: 0, expires_at });
//! let ok = Event::JobSucceeded { job, seq: 2, at: 60, reports: 2 };
//! assert_eq!(apply(&mut s, &ok), Applied::Changed);
//! assert_eq!(apply(&mut s, &ok), Applied::NotInFlight); // a duplicate changes nothing
//! assert!(matches!(decide(b"dev-1", &s, &ctx, 60), Action::Install { release: 3, .. }));
//! ```

pub mod window;

#[cfg(feature = "alloc")]
mod decide;
#[cfg(feature = "alloc")]
mod planner;
#[cfg(feature = "alloc")]
mod read;
#[cfg(feature = "serde")]
mod session;
#[cfg(feature = "alloc")]
mod state;
#[cfg(feature = "alloc")]
mod write;

#[cfg(feature = "alloc")]
pub use decide::{
    Action, Context, DEFAULT_JOB_TTL_SECS, GiveUpReason, HoldReason, Planner, RolloutView, Timing,
    WaitReason, decide,
};
#[cfg(feature = "alloc")]
pub use planner::{CatalogPlanner, IndexPlanner};
#[cfg(feature = "serde")]
pub use read::read_session_options;
#[cfg(feature = "serde")]
#[doc(hidden)]
pub use read::{hand_readers, serde_readers};
#[cfg(feature = "alloc")]
pub use read::{read_device_state, read_event};
#[cfg(feature = "serde")]
pub use session::{AppliedWire, Session, SessionError, SessionOptions};
#[cfg(feature = "alloc")]
pub use state::{Applied, DeviceState, Event, HopState, Job, LastFailure, OperatorAction, apply};
#[cfg(feature = "alloc")]
pub use write::{action_json, applied_json, device_state_json};

#[cfg(feature = "alloc")]
pub use crate::retry::RetryPolicy;

#[cfg(all(test, feature = "alloc"))]
mod tests;

/// The examples of docs/reconciler.md, run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../docs/reconciler.md")]
pub struct ReconcilerGuide;
