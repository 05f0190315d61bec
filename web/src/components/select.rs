//! A `<select>` whose shown value always follows its prop (an `<option selected>` attribute
//! stops working once the user has picked something, so the value is also set after render).

use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// One option.
#[derive(Clone, PartialEq)]
pub struct SelectOption {
    /// Value.
    pub value: AttrValue,
    /// Text.
    pub label: AttrValue,
    /// Tooltip.
    pub title: AttrValue,
    /// Shown but not pickable (e.g. "custom").
    pub disabled: bool,
}

impl SelectOption {
    /// A pickable option.
    pub fn new(value: impl Into<AttrValue>, label: impl Into<AttrValue>) -> SelectOption {
        SelectOption {
            value: value.into(),
            label: label.into(),
            title: AttrValue::default(),
            disabled: false,
        }
    }
}

/// Props of [`Select`].
#[derive(Properties, PartialEq)]
pub struct SelectProps {
    /// Element id.
    pub id: AttrValue,
    /// The chosen value.
    pub value: AttrValue,
    /// The options.
    pub options: Vec<SelectOption>,
    /// A value was picked.
    pub on_change: Callback<String>,
    /// `aria-invalid` (set while the value breaks a rule).
    #[prop_or_default]
    pub invalid: Option<AttrValue>,
    /// `aria-describedby` (the id of the message saying which rule).
    #[prop_or_default]
    pub describedby: Option<AttrValue>,
}

/// The select.
#[function_component(Select)]
pub fn select(p: &SelectProps) -> Html {
    let node = use_node_ref();
    {
        let node = node.clone();
        let value = p.value.clone();
        let options = p.options.clone();
        use_effect_with((value, options), move |(value, _)| {
            if let Some(el) = node.cast::<HtmlSelectElement>() {
                if el.value() != value.as_str() {
                    el.set_value(value);
                }
            }
        });
    }
    let onchange = p
        .on_change
        .reform(|e: Event| e.target_unchecked_into::<HtmlSelectElement>().value());
    html! {
        <select id={p.id.clone()} ref={node} {onchange}
            aria-invalid={p.invalid.clone()} aria-describedby={p.describedby.clone()}>
            { for p.options.iter().map(|o| html! {
                <option value={o.value.clone()} selected={o.value == p.value} disabled={o.disabled}
                    title={(!o.title.is_empty()).then(|| o.title.clone())}>{ o.label.clone() }</option>
            }) }
        </select>
    }
}
