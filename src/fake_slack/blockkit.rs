//! Block Kit as Slack checks it: the documented limits of every block, element and composition
//! object Guestlist sends, and the view rules (title, submit and close lengths, metadata,
//! identifiers). Slack refuses a message that breaks one with `invalid_blocks`, and a view with
//! `invalid_arguments`; either way `response_metadata.messages` says what and where
//! ("[ERROR] must be less than 25 characters [json-pointer:/view/title/text]"). Sources:
//! docs.slack.dev/reference/block-kit (blocks, block elements, composition objects) and
//! docs.slack.dev/surfaces/modals, cross-checked with the slackapi SDKs' Block Kit types.
//!
//! Public so that tests can check a rendered message or view without sending it.

use serde_json::{Map, Value};
use std::collections::HashSet;

/// Where blocks are shown: the limits differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    Message,
    Modal,
    Home,
}

impl Surface {
    fn max_blocks(self) -> usize {
        match self {
            Surface::Message => 50,
            Surface::Modal | Surface::Home => 100,
        }
    }
}

/// Slack's `response_metadata.messages` for one refused payload.
pub type Problems = Vec<String>;

struct Checker {
    problems: Problems,
}

impl Checker {
    fn fail(&mut self, at: &str, what: impl Into<String>) {
        self.problems
            .push(format!("[ERROR] {} [json-pointer:{at}]", what.into()));
    }

    /// A string of at most `max` characters (Slack counts characters, not bytes), at least
    /// `min`.
    fn length(&mut self, value: &Value, at: &str, min: usize, max: usize) {
        match value.as_str() {
            Some(text) => {
                let n = text.chars().count();
                if n > max {
                    self.fail(at, format!("must be less than {} characters", max + 1));
                } else if n < min {
                    self.fail(at, format!("must be more than {} characters", min - 1));
                }
            }
            None => self.fail(at, "must be a string"),
        }
    }

    fn optional_length(&mut self, object: &Map<String, Value>, key: &str, at: &str, max: usize) {
        if let Some(value) = object.get(key) {
            self.length(value, &format!("{at}/{key}"), 0, max);
        }
    }

    /// A text object: `plain_text` (or `mrkdwn` where allowed) with 1 to `max` characters.
    fn text(&mut self, value: Option<&Value>, at: &str, max: usize, plain_only: bool) {
        let Some(value) = value else {
            self.fail(at, "missing required field: text");
            return;
        };
        let Some(object) = value.as_object() else {
            self.fail(at, "must be a text object");
            return;
        };
        match object.get("type").and_then(Value::as_str) {
            Some("plain_text") => {}
            Some("mrkdwn") if !plain_only => {}
            Some("mrkdwn") => self.fail(&format!("{at}/type"), "must be plain_text"),
            _ => self.fail(&format!("{at}/type"), "must be one of plain_text, mrkdwn"),
        }
        match object.get("text") {
            Some(text) => self.length(text, &format!("{at}/text"), 1, max),
            None => self.fail(at, "missing required field: text"),
        }
    }

    /// A list of 1 to `max` items (an absent one counts as empty).
    fn items<'v>(&mut self, list: Option<&'v Value>, at: &str, max: usize) -> &'v [Value] {
        let list = list
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        if list.is_empty() || list.len() > max {
            self.fail(at, format!("must contain between 1 and {max} items"));
        }
        list
    }

    fn blocks(&mut self, blocks: Option<&Value>, at: &str, surface: Surface) {
        let Some(blocks) = blocks else {
            return;
        };
        let Some(list) = blocks.as_array() else {
            self.fail(at, "must be an array");
            return;
        };
        if list.len() > surface.max_blocks() {
            self.fail(
                at,
                format!("must contain at most {} items", surface.max_blocks()),
            );
        }
        let mut block_ids = HashSet::new();
        for (i, block) in list.iter().enumerate() {
            let at = format!("{at}/{i}");
            let Some(block) = block.as_object() else {
                self.fail(&at, "must be an object");
                continue;
            };
            if let Some(id) = block.get("block_id") {
                self.length(id, &format!("{at}/block_id"), 1, 255);
                if let Some(id) = id.as_str()
                    && !block_ids.insert(id.to_string())
                {
                    self.fail(
                        &format!("{at}/block_id"),
                        format!("duplicate block_id {id}"),
                    );
                }
            }
            self.block(block, &at);
        }
    }

    fn block(&mut self, block: &Map<String, Value>, at: &str) {
        let mut action_ids = HashSet::new();
        match block.get("type").and_then(Value::as_str) {
            Some("section") => {
                if block.get("text").is_none() && block.get("fields").is_none() {
                    self.fail(at, "must provide either text or fields");
                }
                if let Some(text) = block.get("text") {
                    self.text(Some(text), &format!("{at}/text"), 3000, false);
                }
                if let Some(fields) = block.get("fields") {
                    let list = fields.as_array().map(Vec::as_slice).unwrap_or_default();
                    if list.is_empty() || list.len() > 10 {
                        self.fail(
                            &format!("{at}/fields"),
                            "must contain between 1 and 10 items",
                        );
                    }
                    for (i, field) in list.iter().enumerate() {
                        self.text(Some(field), &format!("{at}/fields/{i}"), 2000, false);
                    }
                }
                if let Some(accessory) = block.get("accessory") {
                    self.element(accessory, &format!("{at}/accessory"), &mut action_ids);
                }
            }
            Some("header") => self.text(block.get("text"), &format!("{at}/text"), 150, true),
            Some("divider") => {}
            Some("context") => {
                let list = self.items(block.get("elements"), &format!("{at}/elements"), 10);
                for (i, element) in list.iter().enumerate() {
                    let at = format!("{at}/elements/{i}");
                    if element.get("type").and_then(Value::as_str) == Some("image") {
                        self.image(element, &at);
                    } else {
                        self.text(Some(element), &at, 3000, false);
                    }
                }
            }
            Some("actions") => {
                let list = self.items(block.get("elements"), &format!("{at}/elements"), 25);
                for (i, element) in list.iter().enumerate() {
                    self.element(element, &format!("{at}/elements/{i}"), &mut action_ids);
                }
            }
            Some("input") => {
                self.text(block.get("label"), &format!("{at}/label"), 2000, true);
                if let Some(hint) = block.get("hint") {
                    self.text(Some(hint), &format!("{at}/hint"), 2000, true);
                }
                match block.get("element") {
                    Some(element) => {
                        self.element(element, &format!("{at}/element"), &mut action_ids)
                    }
                    None => self.fail(at, "missing required field: element"),
                }
            }
            Some("image") => self.image(&Value::Object(block.clone()), at),
            Some("rich_text" | "file" | "video") => {}
            Some(other) => self.fail(&format!("{at}/type"), format!("unknown block type {other}")),
            None => self.fail(at, "missing required field: type"),
        }
    }

    fn image(&mut self, image: &Value, at: &str) {
        let Some(image) = image.as_object() else {
            return;
        };
        if image.get("image_url").is_none() && image.get("slack_file").is_none() {
            self.fail(at, "missing required field: image_url");
        }
        self.optional_length(image, "image_url", at, 3000);
        match image.get("alt_text") {
            Some(alt) => self.length(alt, &format!("{at}/alt_text"), 1, 2000),
            None => self.fail(at, "missing required field: alt_text"),
        }
    }

    fn element(&mut self, element: &Value, at: &str, action_ids: &mut HashSet<String>) {
        let Some(element) = element.as_object() else {
            self.fail(at, "must be an object");
            return;
        };
        let kind = element.get("type").and_then(Value::as_str).unwrap_or("");
        if kind == "image" {
            self.image(&Value::Object(element.clone()), at);
            return;
        }
        if let Some(id) = element.get("action_id") {
            self.length(id, &format!("{at}/action_id"), 1, 255);
            if let Some(id) = id.as_str()
                && !action_ids.insert(id.to_string())
            {
                self.fail(
                    &format!("{at}/action_id"),
                    format!("duplicate action_id {id} in one block"),
                );
            }
        }
        if let Some(placeholder) = element.get("placeholder") {
            self.text(Some(placeholder), &format!("{at}/placeholder"), 150, true);
        }
        if let Some(confirm) = element.get("confirm") {
            self.confirm(confirm, &format!("{at}/confirm"));
        }
        match kind {
            "button" => {
                self.text(element.get("text"), &format!("{at}/text"), 75, true);
                self.optional_length(element, "value", at, 2000);
                self.optional_length(element, "url", at, 3000);
                if let Some(style) = element.get("style")
                    && !matches!(style.as_str(), Some("primary" | "danger"))
                {
                    self.fail(&format!("{at}/style"), "must be one of primary, danger");
                }
            }
            "static_select" | "multi_static_select" => {
                let options = element.get("options").and_then(Value::as_array);
                let groups = element.get("option_groups").and_then(Value::as_array);
                match (options, groups) {
                    (Some(options), None) => self.options(options, &format!("{at}/options"), 100),
                    (None, Some(groups)) => {
                        if groups.len() > 100 {
                            self.fail(
                                &format!("{at}/option_groups"),
                                "must contain at most 100 items",
                            );
                        }
                        for (i, group) in groups.iter().enumerate() {
                            let at = format!("{at}/option_groups/{i}");
                            self.text(group.get("label"), &format!("{at}/label"), 75, true);
                            let options = group
                                .get("options")
                                .and_then(Value::as_array)
                                .map(Vec::as_slice)
                                .unwrap_or_default();
                            self.options(options, &format!("{at}/options"), 100);
                        }
                    }
                    _ => self.fail(at, "must provide exactly one of options, option_groups"),
                }
                self.initial_options(element, at);
            }
            "overflow" => {
                let options = element
                    .get("options")
                    .and_then(Value::as_array)
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                self.options(options, &format!("{at}/options"), 5);
            }
            "radio_buttons" | "checkboxes" => {
                let options = element
                    .get("options")
                    .and_then(Value::as_array)
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                self.options(options, &format!("{at}/options"), 10);
                self.initial_options(element, at);
            }
            "plain_text_input" => {
                self.optional_length(element, "initial_value", at, 3000);
                for key in ["min_length", "max_length"] {
                    if let Some(n) = element.get(key)
                        && n.as_u64().is_none_or(|n| n > 3000)
                    {
                        self.fail(&format!("{at}/{key}"), "must be at most 3000");
                    }
                }
            }
            "users_select"
            | "multi_users_select"
            | "conversations_select"
            | "multi_conversations_select"
            | "channels_select"
            | "multi_channels_select"
            | "external_select"
            | "multi_external_select"
            | "datepicker"
            | "timepicker"
            | "datetimepicker"
            | "email_text_input"
            | "url_text_input"
            | "number_input"
            | "rich_text_input" => {}
            "" => self.fail(at, "missing required field: type"),
            other => self.fail(
                &format!("{at}/type"),
                format!("unknown element type {other}"),
            ),
        }
    }

    fn options(&mut self, options: &[Value], at: &str, max: usize) {
        if options.is_empty() || options.len() > max {
            self.fail(at, format!("must contain between 1 and {max} items"));
        }
        for (i, option) in options.iter().enumerate() {
            self.option(option, &format!("{at}/{i}"));
        }
    }

    fn option(&mut self, option: &Value, at: &str) {
        self.text(option.get("text"), &format!("{at}/text"), 75, false);
        match option.get("value") {
            Some(value) => self.length(value, &format!("{at}/value"), 1, 150),
            None => self.fail(at, "missing required field: value"),
        }
        if let Some(description) = option.get("description") {
            self.text(Some(description), &format!("{at}/description"), 75, false);
        }
    }

    fn initial_options(&mut self, element: &Map<String, Value>, at: &str) {
        if let Some(option) = element.get("initial_option") {
            self.option(option, &format!("{at}/initial_option"));
        }
        if let Some(options) = element.get("initial_options").and_then(Value::as_array) {
            for (i, option) in options.iter().enumerate() {
                self.option(option, &format!("{at}/initial_options/{i}"));
            }
        }
    }

    fn confirm(&mut self, confirm: &Value, at: &str) {
        self.text(confirm.get("title"), &format!("{at}/title"), 100, true);
        self.text(confirm.get("text"), &format!("{at}/text"), 300, false);
        self.text(confirm.get("confirm"), &format!("{at}/confirm"), 30, true);
        self.text(confirm.get("deny"), &format!("{at}/deny"), 30, true);
    }
}

/// A message's `blocks` (chat.postMessage, chat.update, chat.postEphemeral, response_url).
pub fn check_message(blocks: &Value) -> Result<(), Problems> {
    let mut checker = Checker {
        problems: Vec::new(),
    };
    checker.blocks(Some(blocks), "/blocks", Surface::Message);
    done(checker)
}

/// A view (views.open, views.push, views.update, views.publish) at `/view`.
pub fn check_view(view: &Value) -> Result<(), Problems> {
    let mut checker = Checker {
        problems: Vec::new(),
    };
    let at = "/view";
    let Some(object) = view.as_object() else {
        checker.fail(at, "must be an object");
        return done(checker);
    };
    let surface = match object.get("type").and_then(Value::as_str) {
        Some("modal") => Surface::Modal,
        Some("home") => Surface::Home,
        _ => {
            checker.fail(&format!("{at}/type"), "must be one of modal, home");
            return done(checker);
        }
    };
    if surface == Surface::Modal {
        checker.text(object.get("title"), &format!("{at}/title"), 24, true);
        for key in ["submit", "close"] {
            if let Some(button) = object.get(key) {
                checker.text(Some(button), &format!("{at}/{key}"), 24, true);
            }
        }
        let has_input = object
            .get("blocks")
            .and_then(Value::as_array)
            .is_some_and(|b| b.iter().any(|b| b["type"] == "input"));
        if has_input && object.get("submit").is_none() {
            checker.fail(at, "a view with input blocks must have a submit button");
        }
    }
    checker.optional_length(object, "private_metadata", at, 3000);
    checker.optional_length(object, "callback_id", at, 255);
    checker.optional_length(object, "external_id", at, 255);
    match object.get("blocks") {
        Some(blocks) => checker.blocks(Some(blocks), &format!("{at}/blocks"), surface),
        None => checker.fail(at, "missing required field: blocks"),
    }
    done(checker)
}

fn done(checker: Checker) -> Result<(), Problems> {
    if checker.problems.is_empty() {
        Ok(())
    } else {
        Err(checker.problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn section(text: &str) -> Value {
        json!({"type": "section", "text": {"type": "mrkdwn", "text": text}})
    }

    fn modal(title: &str, blocks: Value) -> Value {
        json!({"type": "modal", "title": {"type": "plain_text", "text": title},
               "submit": {"type": "plain_text", "text": "Send"}, "blocks": blocks})
    }

    fn refused(result: Result<(), Problems>, pointer: &str) {
        let problems = result.expect_err("refused");
        assert!(
            problems
                .iter()
                .any(|p| p.ends_with(&format!("[json-pointer:{pointer}]"))),
            "{problems:?} names {pointer}"
        );
    }

    #[test]
    fn a_message_of_fifty_blocks_passes_and_of_fifty_one_is_refused() {
        let blocks: Vec<Value> = (0..50).map(|i| section(&format!("line {i}"))).collect();
        assert!(check_message(&json!(blocks)).is_ok());
        let blocks: Vec<Value> = (0..51).map(|i| section(&format!("line {i}"))).collect();
        refused(check_message(&json!(blocks)), "/blocks");
    }

    #[test]
    fn section_text_stops_at_3000_characters_and_fields_at_2000() {
        assert!(check_message(&json!([section(&"é".repeat(3000))])).is_ok());
        refused(
            check_message(&json!([section(&"a".repeat(3001))])),
            "/blocks/0/text/text",
        );
        let fields =
            json!([{"type": "section", "fields": [{"type": "mrkdwn", "text": "b".repeat(2001)}]}]);
        refused(check_message(&fields), "/blocks/0/fields/0/text");
        refused(check_message(&json!([section("")])), "/blocks/0/text/text");
    }

    #[test]
    fn modal_titles_stop_at_24_characters() {
        let ok = modal("Approve #10 with changes", json!([section("x")]));
        assert_eq!("Approve #10 with changes".chars().count(), 24);
        assert!(check_view(&ok).is_ok());
        refused(
            check_view(&modal("Approve #100 with changes", json!([section("x")]))),
            "/view/title/text",
        );
    }

    #[test]
    fn two_buttons_with_one_action_id_in_a_block_are_refused() {
        let button = |text: &str| json!({"type": "button", "action_id": "home_page", "value": text, "text": {"type": "plain_text", "text": text}});
        let blocks = json!([{"type": "actions", "elements": [button("Previous"), button("Next")]}]);
        refused(
            check_view(&json!({"type": "home", "blocks": blocks})),
            "/view/blocks/0/elements/1/action_id",
        );
        // The same action id in two blocks is fine.
        let blocks = json!([{"type": "actions", "elements": [button("Previous")]},
                            {"type": "actions", "elements": [button("Next")]}]);
        assert!(check_view(&json!({"type": "home", "blocks": blocks})).is_ok());
    }

    #[test]
    fn block_ids_are_unique_in_a_view_and_input_needs_a_submit() {
        let input = json!({"type": "input", "block_id": "b", "label": {"type": "plain_text", "text": "Email"},
                           "element": {"type": "plain_text_input", "action_id": "a"}});
        refused(
            check_view(&modal("Request", json!([input.clone(), input.clone()]))),
            "/view/blocks/1/block_id",
        );
        let mut no_submit = modal("Request", json!([input]));
        no_submit.as_object_mut().unwrap().remove("submit");
        refused(check_view(&no_submit), "/view");
    }

    #[test]
    fn buttons_options_and_metadata_have_their_limits() {
        let long_button = json!([{"type": "actions", "elements": [{"type": "button", "action_id": "a",
            "text": {"type": "plain_text", "text": "b".repeat(76)}}]}]);
        refused(
            check_message(&long_button),
            "/blocks/0/elements/0/text/text",
        );
        let options: Vec<Value> = (0..101)
            .map(|i| json!({"text": {"type": "plain_text", "text": format!("o{i}")}, "value": format!("{i}")}))
            .collect();
        let select = json!([{"type": "input", "label": {"type": "plain_text", "text": "Pick"},
            "element": {"type": "static_select", "action_id": "s", "options": options}}]);
        refused(
            check_view(&modal("Pick", select)),
            "/view/blocks/0/element/options",
        );
        let mut big = modal("Request", json!([section("x")]));
        big["private_metadata"] = json!("m".repeat(3001));
        refused(check_view(&big), "/view/private_metadata");
    }
}
