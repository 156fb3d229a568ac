//! CSV import: from a file on disk (`guestlist import`) or a CSV shared in the request channel.
//! Both paths read the file, check every row with `domain::import`, show a preview, and only
//! on confirmation create approved requests, a batch per transaction.

use super::sync::directory::Calls;
use super::{Feedback, Job, JobError, Workflow};
use crate::domain::import::{
    FileError, ImportFacts, ImportGuest, ImportPreview, MAX_IMPORT_BYTES, RawRow, check_rows,
    parse_csv,
};
use crate::domain::request::Source;
use crate::domain::roles::Right;
use crate::domain::{ChannelId, NewRequest, RequestKind, TeamId, UserId};
use crate::slack::ids::ImportConfirmation;
use crate::slack::render;
use crate::slack::say::SyncSay;
use crate::store::Approval;
use anyhow::Context;
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap, HashSet};

/// Rows per transaction: large enough to be quick, small enough not to hold the writer long.
pub const IMPORT_BATCH: usize = 500;

/// A preview an approver confirmed: where it is and which bytes it showed.
#[derive(Debug, Clone)]
pub(super) struct ConfirmedFile {
    pub channel: String,
    pub thread_ts: String,
    pub file_id: String,
    pub digest: String,
    pub preview_ts: Option<String>,
    pub sharer: Option<String>,
}

/// The SHA-256 of a file, hex: a confirmation only imports the bytes that were previewed.
pub fn file_digest(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl Workflow {
    /// Reads and checks a file. `Ok(Err(_))` = the whole file is refused, with the reason.
    /// `importer` sponsors rows that name nobody; `approver`, when known (at confirmation), may
    /// not confirm rows they sponsor.
    pub async fn import_preview(
        &self,
        team: &TeamId,
        bytes: &[u8],
        importer: Option<&UserId>,
        approver: Option<&UserId>,
        tz: chrono_tz::Tz,
    ) -> anyhow::Result<Result<ImportPreview, FileError>> {
        let rows = match parse_csv(bytes) {
            Ok(rows) => rows,
            Err(e) => return Ok(Err(e)),
        };
        let emails: HashSet<String> = rows
            .iter()
            .map(|r| {
                r.get(crate::domain::import::Column::Email)
                    .trim()
                    .to_lowercase()
            })
            .filter(|e| !e.is_empty())
            .collect();
        let facts = ImportFacts {
            channels: self.channel_index().await?,
            sponsors: self.resolve_sponsors(&rows).await?,
            members: self.full_members_among(&emails).await?,
            approver: approver.cloned(),
            default_sponsor: importer.cloned(),
            taken: self
                .store
                .held_emails(team)
                .await?
                .into_iter()
                .map(|h| (h.email, (h.request_id, h.state)))
                .collect(),
            taken_phones: self
                .store
                .held_phones(team)
                .await?
                .into_iter()
                .map(|(phone, id, state)| (phone, (id, state)))
                .collect(),
        };
        Ok(Ok(check_rows(
            &rows,
            &facts,
            &self.settings().policy,
            self.now(),
            tz,
        )))
    }

    /// Creates one batch of approved requests in one transaction; returns how many were new
    /// (an email taken since the preview is skipped).
    pub async fn import_batch(
        &self,
        team: &TeamId,
        guests: &[ImportGuest],
        importer: Option<&UserId>,
        label: &str,
    ) -> anyhow::Result<usize> {
        let now = self.now();
        let batch: Vec<NewRequest> = guests
            .iter()
            .map(|g| NewRequest {
                team_id: team.clone(),
                kind: RequestKind::Guest,
                parent_id: None,
                requester: g.sponsor.clone(),
                email: g.email.clone(),
                full_name: g.full_name.clone(),
                organisation: g.organisation.clone(),
                reason: format!("CSV import {label}, line {}", g.line),
                guest_type: g.guest_type,
                channels: g.channels.clone(),
                expiry: g.expiry,
                source: Source::Import,
                sync_rule: None,
                profile: g.profile.clone(),
                slack_invite_request: None,
                account_team: None,
                source_user: None,
                // Imported approved: no quorum to wait for.
                quorum: Default::default(),
                decide_by: None,
            })
            .collect();
        let approval = Approval {
            decided_by: importer.cloned(),
            auto_rule: None,
            audit_actor: importer
                .map(|u| u.to_string())
                .unwrap_or_else(|| "cli".to_string()),
            audit_action: "import".into(),
            audit_detail: format!("CSV import {label}"),
        };
        let created = self
            .store
            .create_approved(&batch, &approval, now, self.approved_jobs(team))
            .await?;
        self.queued();
        metrics::counter!("imported_guests_total").increment(created.len() as u64);
        Ok(created.len())
    }

    /// Which of `emails` belong to full members of the workspace (active or not), from one pass
    /// over `users.list`: a member's email is never imported as a guest.
    async fn full_members_among(
        &self,
        emails: &HashSet<String>,
    ) -> anyhow::Result<HashSet<String>> {
        let mut members = HashSet::new();
        if emails.is_empty() {
            return Ok(members);
        }
        let calls = Calls::default();
        let mut cursor: Option<String> = None;
        loop {
            let page = self
                .paced_call("users.list", &calls, || {
                    self.slack
                        .users_page(cursor.as_deref(), self.settings().sync.page_size)
                })
                .await
                .context("listing the workspace's members (users.list)")?;
            for user in page.items {
                if user.is_restricted || user.is_ultra_restricted || user.is_bot {
                    continue;
                }
                if let Some(email) = user.profile.email.map(|e| e.to_lowercase())
                    && emails.contains(&email)
                {
                    members.insert(email);
                }
            }
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(members),
            }
        }
    }

    /// Channel IDs and names (lower case) to IDs, for the channels the bot can see.
    async fn channel_index(&self) -> anyhow::Result<HashMap<String, ChannelId>> {
        let mut index = HashMap::new();
        let calls = Calls::default();
        let mut cursor: Option<String> = None;
        loop {
            let page = self
                .paced_call("conversations.list", &calls, || {
                    self.slack.channels_page(cursor.as_deref())
                })
                .await
                .context("listing channels (conversations.list)")?;
            for (id, name) in page.items {
                index.insert(name.to_lowercase(), id.clone());
                index.insert(id.to_string(), id);
            }
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        Ok(index)
    }

    /// Looks up each distinct sponsor once: a user ID with `users.info`, an email with
    /// `users.lookupByEmail`. Only active members sponsor (no bots, guests or deleted accounts);
    /// a value Slack rejects is "not found" for its rows, while an outage fails the preview.
    async fn resolve_sponsors(&self, rows: &[RawRow]) -> anyhow::Result<HashMap<String, UserId>> {
        use crate::domain::import::Column;
        let wanted: BTreeSet<String> = rows
            .iter()
            .flat_map(|r| [r.get(Column::Sponsor), r.get(Column::Manager)])
            .map(str::to_lowercase)
            .filter(|s| !s.is_empty())
            .collect();
        let mut found = HashMap::new();
        let calls = Calls::default();
        // A value Slack refuses (not found, invalid) is no sponsor; rate limits and outages are
        // waited out and retried with the pacer, then fail the preview.
        let not_found = |e: crate::slack::SlackCallError| {
            if e.is_retryable() || e.retry_after().is_some() {
                Err(e)
            } else {
                tracing::debug!(error = %e, "sponsor not found");
                Ok(None)
            }
        };
        for value in wanted {
            let looked_up =
                if value.contains('@') {
                    self.paced_call("users.lookupByEmail", &calls, || async {
                        match self.slack.lookup_user_by_email(&value).await {
                            Ok(user) => Ok(user
                                .filter(|u| {
                                    !u.deleted.unwrap_or(false)
                                        && !u.flags.is_bot.unwrap_or(false)
                                        && !u.flags.is_restricted.unwrap_or(false)
                                        && !u.flags.is_ultra_restricted.unwrap_or(false)
                                })
                                .map(|u| UserId(u.id.0))),
                            Err(e) => not_found(e),
                        }
                    })
                    .await
                } else {
                    let id = UserId(value.to_uppercase());
                    self.paced_call("users.info", &calls, || async {
                        match self.slack.directory_user(&id).await {
                            Ok(u) => Ok((!u.deleted && !u.is_bot && !u.is_restricted)
                                .then_some(UserId(u.id))),
                            Err(e) => not_found(e),
                        }
                    })
                    .await
                };
            if let Some(person) = looked_up.context("looking up sponsors")? {
                found.insert(value, person);
            }
        }
        Ok(found)
    }

    /// Fetches a shared file within the size limit. `Ok(Err(_))` = refused (too large).
    async fn fetch_import_file(
        &self,
        file_id: &str,
    ) -> Result<(String, Result<Vec<u8>, FileError>), JobError> {
        let file = self.slack.file_info(file_id).await?;
        let name = file.name.clone().unwrap_or_else(|| file_id.to_string());
        let url = file
            .url_private_download
            .or(file.url_private)
            .ok_or_else(|| JobError::Fatal(format!("file {file_id} has no download URL")))?;
        let bytes = self
            .slack
            .download_file(&self.http, url.as_str(), MAX_IMPORT_BYTES)
            .await?;
        Ok((
            name,
            bytes.ok_or(FileError::TooLarge {
                max: MAX_IMPORT_BYTES,
            }),
        ))
    }

    /// A CSV shared in the request channel: approvers get a preview in its thread.
    pub(super) async fn import_preview_job(
        &self,
        team: &TeamId,
        channel: &str,
        thread_ts: &str,
        user: &UserId,
        file_id: &str,
    ) -> Result<(), JobError> {
        if self.may_at_all(team, user, Right::Import).await?.is_err() {
            let text = SyncSay::ImportNotAllowedFile.text(self.lang_of(user).await);
            self.slack
                .post_ephemeral(
                    channel,
                    user,
                    slack_morphism::prelude::SlackMessageContent::new().with_text(text),
                    Some(thread_ts),
                )
                .await?;
            return Ok(());
        }
        let (name, bytes) = self.fetch_import_file(file_id).await?;
        let lang = self.channel_lang();
        let content = match bytes {
            Err(e) => render::import_refused(&name, &e, lang),
            Ok(bytes) => {
                let tz = self.zone_of(user).await;
                match self
                    .import_preview(team, &bytes, Some(user), None, tz)
                    .await?
                {
                    Err(e) => render::import_refused(&name, &e, lang),
                    Ok(preview) => render::import_preview(
                        &preview,
                        &name,
                        Some(&ImportConfirmation {
                            file_id: file_id.to_string(),
                            digest: file_digest(&bytes),
                            thread_ts: thread_ts.to_string(),
                            sharer: Some(user.to_string()),
                        }),
                        None,
                        lang,
                    ),
                }
            }
        };
        self.slack
            .post_message(channel, content, Some(thread_ts))
            .await?;
        Ok(())
    }

    /// "Import N guests": checked here (approvers only), imported by a job.
    pub(super) async fn import_click(
        &self,
        team: &TeamId,
        user: &UserId,
        file: &ImportConfirmation,
        feedback: &Feedback,
    ) -> anyhow::Result<()> {
        let ImportConfirmation {
            file_id,
            digest,
            thread_ts,
            sharer,
        } = file.clone();
        if self.may_at_all(team, user, Right::Import).await?.is_err() {
            self.audit_refusal(team, user, "import", &file_id).await?;
            return self.tell(team, feedback, SyncSay::ImportNotAllowed).await;
        }
        let Some(channel) = feedback.channel.clone() else {
            return Ok(());
        };
        let job = self.job(
            team,
            Job::ImportApply {
                channel,
                thread_ts,
                user: user.to_string(),
                file_id: file_id.clone(),
                digest: digest.clone(),
                preview_ts: feedback.message_ts.clone(),
                sharer,
            },
        );
        // One import per previewed file: a second click (or approver) finds the job queued.
        let mut job = job;
        job.dedupe_key = Some(format!("import:{file_id}:{digest}"));
        self.store.enqueue_jobs(&[job]).await?;
        self.queued();
        self.tell(team, feedback, SyncSay::ImportRequested).await
    }

    /// Imports a confirmed file: re-read, re-checked (the file must be the one previewed), then
    /// created batch by batch, with progress in the thread.
    pub(super) async fn import_apply_job(
        &self,
        team: &TeamId,
        user: &UserId,
        file: &ConfirmedFile,
    ) -> Result<(), JobError> {
        let (channel, thread_ts, file_id) = (
            file.channel.as_str(),
            file.thread_ts.as_str(),
            file.file_id.as_str(),
        );
        let digest = file.digest.as_str();
        let (name, bytes) = self.fetch_import_file(file_id).await?;
        // Everything here goes to the file's thread, in the channel's language.
        let lang = self.channel_lang();
        let say =
            |text: String| slack_morphism::prelude::SlackMessageContent::new().with_text(text);
        let bytes = match bytes {
            Ok(bytes) if file_digest(&bytes) == digest => bytes,
            Ok(_) => {
                let changed = SyncSay::ImportChanged {
                    file_name: name.clone(),
                };
                self.slack
                    .post_message(channel, say(changed.text(lang)), Some(thread_ts))
                    .await?;
                return Ok(());
            }
            Err(e) => {
                self.slack
                    .post_message(
                        channel,
                        render::import_refused(&name, &e, lang),
                        Some(thread_ts),
                    )
                    .await?;
                return Ok(());
            }
        };
        // Re-checked as previewed: the sharer sponsors rows that name nobody, and dates are read
        // in the sharer's zone; the person who confirmed is the approver.
        let sharer = file
            .sharer
            .clone()
            .map(UserId)
            .unwrap_or_else(|| user.clone());
        let tz = self.zone_of(&sharer).await;
        let preview = match self
            .import_preview(team, &bytes, Some(&sharer), Some(user), tz)
            .await?
        {
            Ok(preview) => preview,
            Err(e) => {
                self.slack
                    .post_message(
                        channel,
                        render::import_refused(&name, &e, lang),
                        Some(thread_ts),
                    )
                    .await?;
                return Ok(());
            }
        };
        if let Some(ts) = &file.preview_ts {
            // The button goes, so nobody presses it again wondering whether it worked.
            let confirmed = render::import_preview(&preview, &name, None, Some(user), lang);
            if let Err(e) = self.slack.update_message(channel, ts, confirmed).await {
                tracing::debug!(error = %e, "could not update the import preview");
            }
        }
        let total = preview.valid.len();
        let label = crate::domain::text::one_line(&name);
        let progress_ts = self
            .slack
            .post_message(
                channel,
                say(render::import_progress(0, total, &name, user, lang)),
                Some(thread_ts),
            )
            .await?;
        let mut imported = 0;
        for (i, chunk) in preview.valid.chunks(IMPORT_BATCH).enumerate() {
            imported += self.import_batch(team, chunk, Some(user), &label).await?;
            let done = ((i + 1) * IMPORT_BATCH).min(total);
            // Progress is news, not state: a failed update must not fail the import.
            if let Err(e) = self
                .slack
                .update_message(
                    channel,
                    &progress_ts,
                    say(render::import_progress(done, total, &name, user, lang)),
                )
                .await
            {
                tracing::debug!(error = %e, "import progress update failed");
            }
        }
        let skipped = total - imported;
        self.slack
            .post_message(
                channel,
                say(render::import_done(
                    imported, skipped, &preview, &name, user, lang,
                )),
                Some(thread_ts),
            )
            .await?;
        tracing::info!(%team, importer = %user, file = file_id, imported, skipped, "CSV import done");
        Ok(())
    }

    /// Someone's time zone, or UTC when Slack does not say.
    async fn zone_of(&self, user: &UserId) -> chrono_tz::Tz {
        match self.directory.person(user).await {
            Ok(person) => crate::domain::expiry::zone(person.tz.as_deref()),
            Err(_) => crate::domain::expiry::zone(None),
        }
    }

    async fn audit_refusal(
        &self,
        team: &TeamId,
        user: &UserId,
        what: &str,
        detail: &str,
    ) -> anyhow::Result<()> {
        self.store
            .append_audit(
                crate::store::AuditEntry {
                    team_id: team.clone(),
                    request_id: None,
                    actor: user.to_string(),
                    action: format!("refused_{what}"),
                    from_state: None,
                    to_state: None,
                    detail: detail.to_string(),
                    at: self.now(),
                },
                Vec::new(),
            )
            .await?;
        Ok(())
    }
}
