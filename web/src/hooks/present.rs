//! Slides across windows: the presenter window (`present=1`) posts the link of every slide and
//! step it shows on a same-origin BroadcastChannel; an embedded page (the projected window)
//! follows it ([`Msg::Follow`]).

use crate::state::{AppState, Msg};
use yew::prelude::*;

/// The channel's name.
pub const CHANNEL: &str = "avic-race-lab.slides";

/// Post `query` when `presenting`; follow the channel when `embed` (and not presenting).
#[hook]
pub fn use_slides_channel(
    dispatcher: UseReducerDispatcher<AppState>,
    presenting: bool,
    embed: bool,
    query: String,
) {
    let channel = use_mut_ref(|| None::<crate::browser::Channel>);
    {
        let channel = channel.clone();
        use_effect_with((presenting, embed), move |&(presenting, embed)| {
            if presenting || embed {
                let max = core_sim::share::MAX_QUERY;
                *channel.borrow_mut() =
                    Some(crate::browser::Channel::open(CHANNEL, max, move |q| {
                        if !presenting {
                            dispatcher.dispatch(Msg::Follow(q));
                        }
                    }));
            }
            move || drop(channel.borrow_mut().take())
        });
    }
    use_effect_with((query, presenting), move |(q, presenting)| {
        if *presenting {
            if let Some(c) = channel.borrow().as_ref() {
                c.post(q);
            }
        }
    });
}
