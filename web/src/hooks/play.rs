//! Play's timer: one [`RunMsg::Tick`] per beat while playing.

use crate::state::{AppState, RunMsg};
use yew::prelude::*;

/// While `playing`, dispatch a tick every `pace_ms` milliseconds.
#[hook]
pub fn use_play_timer(dispatcher: UseReducerDispatcher<AppState>, playing: bool, pace_ms: u32) {
    use_effect_with((playing, pace_ms), move |(playing, pace)| {
        let timer = playing.then(|| {
            gloo::timers::callback::Interval::new(*pace, move || {
                dispatcher.dispatch(RunMsg::Tick.into())
            })
        });
        move || drop(timer)
    });
}
