//! Group sync and CSV import.

use crate::domain::sync::LineReason;
use crate::domain::text::safe;
use crate::i18n::{Lang, t};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "say", rename_all = "snake_case")]
pub enum SyncSay {
    /// "Apply anyway" pressed by someone who may not apply sync plans.
    ApplyNotAllowed,
    /// A held plan is being applied; its summary follows in the report channel.
    ApplyingHeldPlan { plan_id: i64 },
    /// A CSV shared by someone without the `import` right.
    ImportNotAllowedFile,
    /// "Import N guests" pressed by someone without the `import` right.
    ImportNotAllowed,
    /// The import is queued; progress goes to the file's thread.
    ImportRequested,
    /// The file's bytes differ from the previewed ones (`file_name` as Slack gave it).
    ImportChanged { file_name: String },
}

impl SyncSay {
    pub fn text(&self, lang: Lang) -> String {
        match self {
            SyncSay::ApplyNotAllowed => t!(lang, "sync-apply-not-allowed"),
            SyncSay::ApplyingHeldPlan { plan_id } => {
                t!(lang, "sync-applying-held", plan_id = plan_id.to_string())
            }
            SyncSay::ImportNotAllowedFile => t!(lang, "import-not-allowed-file"),
            SyncSay::ImportNotAllowed => t!(lang, "import-not-allowed"),
            SyncSay::ImportRequested => t!(lang, "import-requested"),
            SyncSay::ImportChanged { file_name } => {
                t!(lang, "import-changed", file = safe(file_name, 100))
            }
        }
    }
}

/// Why a sync plan's line does what it does.
pub fn line_reason(reason: &LineReason, lang: Lang) -> String {
    match reason {
        LineReason::InTarget => t!(lang, "sync-why-in-target"),
        LineReason::NotInvited => t!(lang, "sync-why-not-invited"),
        LineReason::Held {
            state,
            this_rule: true,
            ..
        } => t!(
            lang,
            "sync-why-held-this-rule",
            state = super::state_word(*state, lang)
        ),
        LineReason::Held {
            state,
            rule: Some(rule),
            ..
        } => t!(
            lang,
            "sync-why-held-other-rule",
            state = super::state_word(*state, lang),
            rule = rule.as_str()
        ),
        LineReason::Held { state, .. } => t!(
            lang,
            "sync-why-held-request",
            state = super::state_word(*state, lang)
        ),
        LineReason::WantedElsewhere { rule } => {
            t!(lang, "sync-why-wanted-elsewhere", rule = rule.as_str())
        }
        LineReason::LeftKept => t!(lang, "sync-why-left-kept"),
        LineReason::LeftInUse => t!(lang, "sync-why-left-in-use"),
        LineReason::LeftWithdrawn => t!(lang, "sync-why-left-withdrawn"),
        LineReason::LeftEnded => t!(lang, "sync-why-left-ended"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slack::say::Said;

    #[test]
    fn sync_and_import_answers_in_both_languages() {
        let said: Said = SyncSay::ApplyingHeldPlan { plan_id: 12 }.into();
        let back: Said = serde_json::from_value(serde_json::to_value(&said).unwrap()).unwrap();
        assert_eq!(
            back.text(Lang::En),
            "Applying sync plan 12; the summary follows here."
        );
        assert_eq!(
            back.text(Lang::Fr),
            "Application du plan de synchronisation 12 ; le résumé suivra ici."
        );
        let changed = SyncSay::ImportChanged {
            file_name: "a<b>.csv".into(),
        };
        assert_eq!(
            changed.text(Lang::En),
            ":warning: `a&lt;b&gt;.csv` changed since its preview, so nothing was imported. Share it again for a new preview."
        );
        assert!(
            changed
                .text(Lang::Fr)
                .contains("a changé depuis son aperçu")
        );
    }
}
