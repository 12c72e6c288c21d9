//! Which record counts: when each record entered the history ([`history`]), which record covers
//! a change and which one is the newest ([`coverage`]), and what that makes of each retest and
//! event ([`state`]: Go or Stop, the conclusions a stopped event pauses). Pure, below the policy
//! layer so that `check` (the `retest-stale` built-in), `retests` and `doc` read one answer.

pub mod coverage;
pub mod history;
pub mod state;

pub use history::History;
