//! Words: the Fluent catalogue in `locales/<lang>/*.ftl`, the languages Guestlist speaks, and
//! the few things the catalogue cannot hold itself (dates through chrono's locale tables, and
//! how long ago or ahead something is, through the catalogue's plurals). A leaf: it knows no
//! module of ours. `slack::render` and the join page ask it for every word they show.

use chrono::{DateTime, Duration, Utc};
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Unicode isolation marks around arguments show as stray boxes in Slack and in some
        // browsers' form fields; every text here runs left to right anyway.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The languages Guestlist speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Fr,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Fr];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }

    fn id(self) -> LanguageIdentifier {
        self.code().parse().expect("a valid language tag")
    }

    /// A language tag as Slack (`fr-FR`), a browser (`fr-CA;q=0.8` without the weight) or the
    /// config file (`fr`) writes it; `None` for a language Guestlist does not speak.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "fr" => Some(Lang::Fr),
            _ => None,
        }
    }

    /// `?lang=` (the switch) wins; else the best of `Accept-Language` we speak; else English.
    pub fn choose(query: Option<&str>, accept_language: Option<&str>) -> Lang {
        if let Some(lang) = query.and_then(Lang::from_tag) {
            return lang;
        }
        let mut best: Option<(f32, Lang)> = None;
        for part in accept_language.unwrap_or("").split(',') {
            let mut pieces = part.split(';');
            let Some(lang) = pieces.next().and_then(Lang::from_tag) else {
                continue;
            };
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, lang)| lang).unwrap_or(Lang::En)
    }

    fn chrono_locale(self) -> chrono::Locale {
        match self {
            Lang::En => chrono::Locale::en_GB,
            Lang::Fr => chrono::Locale::fr_FR,
        }
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// One argument of a message: text, or a number (numbers choose plural forms).
#[derive(Debug, Clone)]
pub struct Arg(FluentValue<'static>);

impl From<String> for Arg {
    fn from(value: String) -> Self {
        Arg(FluentValue::from(value))
    }
}

impl From<&String> for Arg {
    fn from(value: &String) -> Self {
        Arg(FluentValue::from(value.clone()))
    }
}

impl From<&str> for Arg {
    fn from(value: &str) -> Self {
        Arg(FluentValue::from(value.to_string()))
    }
}

macro_rules! number_args {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(value: $t) -> Self {
                Arg(FluentValue::from(value))
            }
        }
    )*};
}
number_args!(i32, i64, u32, u64, usize);

/// The message `key` in `lang`, with its arguments. A key missing from the catalogue is a bug
/// that `tests/catalogue.rs` catches; at run time it shows the key rather than nothing.
pub fn message(lang: Lang, key: &str, args: &[(&'static str, Arg)]) -> String {
    let found = if args.is_empty() {
        LOCALES.try_lookup(&lang.id(), key)
    } else {
        let args: HashMap<Cow<'static, str>, FluentValue> = args
            .iter()
            .map(|(name, value)| (Cow::Borrowed(*name), value.0.clone()))
            .collect();
        LOCALES.try_lookup_with_args(&lang.id(), key, &args)
    };
    found.unwrap_or_else(|| {
        tracing::error!(
            key,
            lang = lang.code(),
            "message missing from the catalogue"
        );
        key.to_string()
    })
}

/// Whether `key` exists in `lang` itself (no fallback), with these arguments.
pub fn resolves(lang: Lang, key: &str, args: &[(&'static str, Arg)]) -> bool {
    let args: HashMap<&str, FluentValue> = args
        .iter()
        .map(|(name, value)| (*name, value.0.clone()))
        .collect();
    LOCALES
        .lookup_single_language(&lang.id(), key, Some(&args))
        .is_ok()
}

/// `t!(lang, "key")` or `t!(lang, "key", name = value, …)`: a message from the catalogue.
macro_rules! t {
    ($lang:expr, $key:literal) => {
        $crate::i18n::message($lang, $key, &[])
    };
    ($lang:expr, $key:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::i18n::message(
            $lang,
            $key,
            &[$((stringify!($name), $crate::i18n::Arg::from($value))),+],
        )
    };
}
pub(crate) use t;

/// "Tue 22 Dec 2026, 10:00 UTC" / "mar. 22 déc. 2026, 10:00 UTC": the fallback of Slack's
/// `<!date^…>` and what a log or an export shows. Day and month names come from chrono's
/// locale tables.
pub fn date_utc(at: DateTime<Utc>, lang: Lang) -> String {
    at.format_localized("%a %-d %b %Y, %H:%M UTC", lang.chrono_locale())
        .to_string()
}

/// "Mon 30 Nov 2026, 17:00 CET", in a zone.
pub fn date_in_zone(at: DateTime<Utc>, tz: chrono_tz::Tz, lang: Lang) -> String {
    let local = at.with_timezone(&tz);
    format!(
        "{} {}",
        local.format_localized("%a %-d %b %Y, %H:%M", lang.chrono_locale()),
        local.format("%Z")
    )
}

/// "Tue 22 Dec 2026" / "mar. 22 déc. 2026".
pub fn day(date: chrono::NaiveDate, lang: Lang) -> String {
    date.format_localized("%a %-d %b %Y", lang.chrono_locale())
        .to_string()
}

/// "in 3 days", "2 hours ago", "dans 3 jours", "il y a 2 heures".
pub fn relative(at: DateTime<Utc>, now: DateTime<Utc>, lang: Lang) -> String {
    let delta = at - now;
    let (future, span) = if delta >= Duration::zero() {
        (true, delta)
    } else {
        (false, -delta)
    };
    let amount = duration(span, lang);
    if future {
        t!(lang, "time-in", amount = amount)
    } else {
        t!(lang, "time-ago", amount = amount)
    }
}

/// "30 days", "1 hour", "5 minutes": the largest unit that fits, days rounded (a deadline 29
/// days 23 hours away reads "30 days").
pub fn duration(span: Duration, lang: Lang) -> String {
    if span >= Duration::days(2) {
        t!(
            lang,
            "time-days",
            count = (span + Duration::hours(12)).num_days()
        )
    } else if span >= Duration::days(1) {
        t!(lang, "time-days", count = 1)
    } else if span >= Duration::hours(1) {
        t!(lang, "time-hours", count = span.num_hours())
    } else {
        t!(lang, "time-minutes", count = span.num_minutes().max(1))
    }
}

/// "Ada", "Ada and Grace", "Ada, Grace and Linus" (the catalogue's word for "and").
pub fn list(items: &[String], lang: Lang) -> String {
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => t!(lang, "list-and", first = rest.join(", "), last = last),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn dates_in_each_language() {
        let at = utc("2026-11-30T16:00:00Z");
        assert_eq!(date_utc(at, Lang::En), "Mon 30 Nov 2026, 16:00 UTC");
        assert_eq!(date_utc(at, Lang::Fr), "lun. 30 nov. 2026, 16:00 UTC");
        let berlin: chrono_tz::Tz = "Europe/Berlin".parse().unwrap();
        assert_eq!(
            date_in_zone(at, berlin, Lang::En),
            "Mon 30 Nov 2026, 17:00 CET"
        );
    }

    #[test]
    fn spans_and_plurals_come_from_the_catalogue() {
        let now = utc("2026-11-22T16:00:00Z");
        let at = utc("2026-11-30T16:00:00Z");
        assert_eq!(relative(at, now, Lang::En), "in 8 days");
        assert_eq!(relative(now, at, Lang::En), "8 days ago");
        assert_eq!(relative(at, now, Lang::Fr), "dans 8 jours");
        assert_eq!(relative(now, at, Lang::Fr), "il y a 8 jours");
        assert_eq!(
            relative(now + Duration::minutes(90), now, Lang::En),
            "in 1 hour"
        );
        assert_eq!(
            relative(now + Duration::minutes(90), now, Lang::Fr),
            "dans 1 heure"
        );
        assert_eq!(
            relative(
                now + Duration::days(30) - Duration::seconds(5),
                now,
                Lang::En
            ),
            "in 30 days"
        );
        assert_eq!(
            relative(now + Duration::seconds(20), now, Lang::En),
            "in 1 minute"
        );
    }

    #[test]
    fn lists_join_with_the_languages_and() {
        let people = ["A".to_string(), "B".to_string(), "C".to_string()];
        assert_eq!(list(&people, Lang::En), "A, B and C");
        assert_eq!(list(&people, Lang::Fr), "A, B et C");
        assert_eq!(list(&people[..1], Lang::Fr), "A");
    }

    #[test]
    fn language_tags() {
        assert_eq!(Lang::from_tag("fr-FR"), Some(Lang::Fr));
        assert_eq!(Lang::from_tag("en_US"), Some(Lang::En));
        assert_eq!(Lang::from_tag("de-DE"), None);
        assert_eq!(Lang::choose(None, None), Lang::En);
        assert_eq!(
            Lang::choose(None, Some("fr-FR,fr;q=0.9,en;q=0.8")),
            Lang::Fr
        );
        assert_eq!(
            Lang::choose(None, Some("de-DE,en;q=0.5,fr;q=0.7")),
            Lang::Fr
        );
        assert_eq!(Lang::choose(None, Some("fr;q=0")), Lang::En);
        assert_eq!(Lang::choose(Some("en"), Some("fr")), Lang::En);
        assert_eq!(Lang::choose(Some("xx"), Some("fr")), Lang::Fr);
    }
}
