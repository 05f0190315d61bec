//! The app's side effects, one hook per concern, so that `crate::app` is only wiring:
//!
//! - [`pool`]: the Web Workers, their answers routed to the state's rooms;
//! - [`jobs`]: start and cancel the check and the matrix, ask for a lesson's claims;
//! - [`fit`]: a slide's type stepped down until nothing overflows;
//! - [`keys`]: the keyboard shortcuts;
//! - [`url_sync`]: the address bar follows the page;
//! - [`play`]: Play's timer;
//! - [`present`]: the presenter window drives the projected one (BroadcastChannel);
//! - [`prefs`]: the viewer's saved theme and pace, and the theme on `<html>`;
//! - [`dom`]: the few page globals they share (window, storage, `<html>` marks, the clock).

pub mod dom;
pub mod fit;
pub mod jobs;
pub mod keys;
pub mod play;
pub mod pool;
pub mod prefs;
pub mod present;
pub mod url_sync;
