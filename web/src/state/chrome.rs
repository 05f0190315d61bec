//! The page around the run: which view, which overlay, the notices at the top, the theme and the
//! embed mode.

use crate::url::{Theme, View};

/// Which overlay covers the page, if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Overlay {
    /// None.
    #[default]
    None,
    /// The keyboard help (`?`).
    Help,
    /// The Share / Embed dialog.
    Share,
}

/// How loud a notice is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Something was wrong (a link, a scenario, a worker).
    Error,
    /// A hint (e.g. a key pressed for a thread that cannot run).
    Info,
}

/// A message at the top of the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// Id, for dismissing.
    pub id: u64,
    /// How loud.
    pub level: Level,
    /// The text.
    pub text: String,
}

/// What another room asks the notices to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Say {
    /// Show an error.
    Error(String),
    /// Show a hint (it replaces the hint on screen).
    Hint(String),
    /// Drop the hint on screen: the viewer did what it asked for.
    Quiet,
}

/// Messages of the chrome.
#[derive(Clone, Debug, PartialEq)]
pub enum ChromeMsg {
    /// Show an overlay (or none).
    SetOverlay(Overlay),
    /// Show a message.
    Notify(Level, String),
    /// Hide a message.
    Dismiss(u64),
    /// Theme (picked by the viewer: it goes into the link).
    SetTheme(Theme),
    /// Hide the first visit's welcome card (for good: the prefs hook remembers it).
    DismissWelcome,
}

/// The chrome's state.
#[derive(Clone, Debug, PartialEq)]
pub struct Chrome {
    /// Explorer, lessons or matrix.
    pub view: View,
    /// The overlay on screen.
    pub overlay: Overlay,
    /// Messages, oldest first.
    pub notices: Vec<Notice>,
    /// Theme on screen.
    pub theme: Theme,
    /// The theme belongs in the link (the link named it, or the viewer picked it here).
    pub theme_in_link: bool,
    /// Minimal chrome for an iframe.
    pub embed: bool,
    /// The link the page was opened with, as given, when it had problems: the notices keep it
    /// visible and copyable (the address bar then shows the link of what is on screen).
    pub bad_link: Option<String>,
    /// The first visit's welcome card (suggests lesson 1, shows the hang) is on screen.
    pub welcome: bool,
    next_notice: u64,
}

impl Chrome {
    /// The chrome a link asks for: its view, theme and embed mode, no notices yet.
    pub fn new(view: View, theme: Theme, embed: bool) -> Chrome {
        Chrome {
            view,
            overlay: Overlay::None,
            notices: Vec::new(),
            theme,
            theme_in_link: theme != Theme::Auto,
            embed,
            bad_link: None,
            welcome: false,
            next_notice: 1,
        }
    }

    /// Apply one message.
    pub fn apply(&mut self, msg: ChromeMsg) {
        match msg {
            ChromeMsg::SetOverlay(o) => self.overlay = o,
            ChromeMsg::Notify(level, text) => self.notify(level, text),
            ChromeMsg::Dismiss(id) => self.notices.retain(|n| n.id != id),
            ChromeMsg::DismissWelcome => self.welcome = false,
            ChromeMsg::SetTheme(t) => {
                self.theme = t;
                self.theme_in_link = t != Theme::Auto;
            }
        }
    }

    /// Add a message (unless the same text is on screen). A hint replaces the previous hint.
    pub fn notify(&mut self, level: Level, text: String) {
        if level == Level::Info {
            self.quiet();
        }
        if self.notices.iter().any(|n| n.text == text) {
            return;
        }
        self.notices.push(Notice {
            id: self.next_notice,
            level,
            text,
        });
        self.next_notice += 1;
    }

    /// Do what another room asks.
    pub fn say(&mut self, say: Say) {
        match say {
            Say::Error(text) => self.notify(Level::Error, text),
            Say::Hint(text) => self.notify(Level::Info, text),
            Say::Quiet => self.quiet(),
        }
    }

    /// Drop the hints; errors stay until dismissed.
    fn quiet(&mut self) {
        self.notices.retain(|n| n.level != Level::Info);
    }

    /// The theme as the link writes it: `Auto` unless it belongs in the link.
    pub fn link_theme(&self) -> Theme {
        if self.theme_in_link {
            self.theme
        } else {
            Theme::Auto
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(c: &Chrome) -> Vec<(Level, &str)> {
        c.notices
            .iter()
            .map(|n| (n.level, n.text.as_str()))
            .collect()
    }

    #[test]
    fn hints_replace_each_other_and_errors_stay() {
        let mut c = Chrome::new(View::Explorer, Theme::Auto, false);
        c.say(Say::Error("bad link".into()));
        c.say(Say::Hint("press 1".into()));
        c.say(Say::Hint("press 2".into()));
        c.say(Say::Error("bad link".into()));
        assert_eq!(
            texts(&c),
            [(Level::Error, "bad link"), (Level::Info, "press 2")]
        );
        c.say(Say::Quiet);
        assert_eq!(texts(&c), [(Level::Error, "bad link")]);
        let id = c.notices[0].id;
        c.apply(ChromeMsg::Dismiss(id));
        assert!(c.notices.is_empty());
        c.apply(ChromeMsg::Notify(Level::Error, "again".into()));
        assert!(c.notices[0].id > id, "ids are never reused");
    }

    #[test]
    fn a_theme_goes_into_the_link_once_named() {
        let mut c = Chrome::new(View::Explorer, Theme::Auto, false);
        assert_eq!(c.link_theme(), Theme::Auto);
        c.theme = Theme::Dark; // restored from the viewer's preferences: not the link's
        assert_eq!(c.link_theme(), Theme::Auto);
        c.apply(ChromeMsg::SetTheme(Theme::Large));
        assert_eq!((c.theme, c.link_theme()), (Theme::Large, Theme::Large));
        c.apply(ChromeMsg::SetTheme(Theme::Auto));
        assert!(!c.theme_in_link);
        let linked = Chrome::new(View::Matrix, Theme::Light, true);
        assert!(linked.theme_in_link && linked.embed);
        c.apply(ChromeMsg::SetOverlay(Overlay::Help));
        assert_eq!(c.overlay, Overlay::Help);
    }
}
