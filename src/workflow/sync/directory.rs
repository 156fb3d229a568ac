//! Who each rule wants: the rules' user groups and one `users.list` pass, paced within Slack's
//! rate tiers, with 429s waited out.

use super::*;

/// Spaces calls within Slack's per-method rate tiers (per minute, with a burst of the same size).
#[derive(Debug)]
pub struct Pacer {
    enabled: bool,
    buckets: Mutex<HashMap<&'static str, (f64, Instant)>>,
}

impl Pacer {
    pub fn new(enabled: bool) -> Self {
        Self {
            enabled,
            buckets: Mutex::default(),
        }
    }

    /// Slack's documented tiers for the methods sync and import use.
    fn per_minute(method: &str) -> f64 {
        match method {
            "users.info" => 100.0,
            // Tier 3.
            "users.lookupByEmail" => 50.0,
            // users.list, usergroups.list, usergroups.users.list, conversations.list: Tier 2.
            _ => 20.0,
        }
    }

    pub(in crate::workflow) async fn wait(&self, method: &'static str) {
        if !self.enabled {
            return;
        }
        let rate = Self::per_minute(method) / 60.0;
        let delay = {
            let mut buckets = self.buckets.lock().expect("pacer lock");
            let (tokens, at) = buckets
                .entry(method)
                .or_insert((Self::per_minute(method), Instant::now()));
            let burst = Self::per_minute(method);
            *tokens = (*tokens + at.elapsed().as_secs_f64() * rate).min(burst);
            *at = Instant::now();
            *tokens -= 1.0;
            if *tokens >= 0.0 {
                None
            } else {
                Some(Duration::from_secs_f64(-*tokens / rate))
            }
        };
        if let Some(delay) = delay {
            tokio::time::sleep(delay).await;
        }
    }
}

/// A person as sync sees them.
#[derive(Debug, Clone)]
pub(super) struct Person {
    pub(super) email: Email,
    pub(super) name: String,
    pub(super) eligible: bool,
    pub(super) guest: bool,
    /// The workspaces of the organisation the person is in (Enterprise Grid), when Slack says.
    pub(super) teams: Option<Vec<String>>,
}

impl Person {
    pub(super) fn wanted(&self, user_id: &str, target: &TeamId) -> Wanted {
        Wanted {
            user_id: user_id.to_string(),
            name: self.name.clone(),
            in_target: self
                .teams
                .as_ref()
                .is_some_and(|teams| teams.iter().any(|t| t == target.as_str())),
            org_member: self.teams.is_some(),
        }
    }
}

pub(super) fn person(user: &DirectoryUser) -> Option<Person> {
    let email = Email::parse(user.profile.email.as_deref()?).ok()?;
    let eligible = !user.deleted && !user.is_bot && !user.is_app_user && user.id != "USLACKBOT";
    Some(Person {
        email,
        name: crate::domain::text::clean_line(
            user.real_name
                .as_deref()
                .or(user.name.as_deref())
                .unwrap_or(&user.id),
        ),
        eligible,
        guest: user.is_restricted,
        teams: user.enterprise_user.as_ref().map(|e| e.teams.clone()),
    })
}

/// The rules' user groups: ids by id and lower-case handle, and their members.
#[derive(Default)]
pub(super) struct GroupDirectory {
    pub(super) ids: HashMap<String, UserGroupId>,
    pub(super) members: HashMap<UserGroupId, HashSet<String>>,
}

/// Counts calls for the run's report.
#[derive(Default)]
pub(in crate::workflow) struct Calls(std::sync::atomic::AtomicUsize);

impl Calls {
    pub(in crate::workflow) fn add(&self) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    pub(super) fn get(&self) -> usize {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl Workflow {
    /// One Slack call, paced, with 429s waited out and transient failures retried (sync and
    /// CSV import, which read whole directories).
    pub(in crate::workflow) async fn paced_call<T, F, Fut>(
        &self,
        method: &'static str,
        calls: &Calls,
        call: F,
    ) -> anyhow::Result<T>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = SlackResult<T>>,
    {
        let mut attempt = 0;
        loop {
            self.pacer.wait(method).await;
            calls.add();
            match call().await {
                Ok(value) => return Ok(value),
                Err(e) if attempt < CALL_RETRIES && e.is_retryable() => {
                    attempt += 1;
                    let wait = e
                        .retry_after()
                        .unwrap_or(Duration::from_millis(500 * u64::from(attempt)));
                    tracing::info!(
                        method,
                        wait_ms = wait.as_millis() as u64,
                        "sync: waiting before retrying"
                    );
                    tokio::time::sleep(wait).await;
                }
                Err(e) => return Err(e).with_context(|| format!("sync: {method}")),
            }
        }
    }

    /// The rules' groups: their ids (handles resolved) and current members, from one
    /// `usergroups.list` (members included); a group listed incompletely is read on its own.
    pub(super) async fn group_directory(
        &self,
        rules: &[SyncRule],
        calls: &Calls,
    ) -> anyhow::Result<GroupDirectory> {
        let names: HashSet<String> = rules
            .iter()
            .filter_map(|r| match &r.source {
                SyncSource::UserGroups(groups) => {
                    Some(groups.iter().map(|g| g.trim_start_matches('@').to_string()))
                }
                SyncSource::Workspace { .. } => None,
            })
            .flatten()
            .collect();
        let mut directory = GroupDirectory::default();
        if names.is_empty() {
            return Ok(directory);
        }
        let listing = self
            .paced_call("usergroups.list", calls, || {
                self.slack.usergroups_with_members()
            })
            .await?;
        for group in listing {
            let wanted = names.contains(&group.id)
                || names.iter().any(|n| n.eq_ignore_ascii_case(&group.handle));
            if !wanted {
                continue;
            }
            let id = UserGroupId(group.id.clone());
            directory.ids.insert(group.id.clone(), id.clone());
            directory
                .ids
                .insert(group.handle.to_lowercase(), id.clone());
            let members: HashSet<String> = match group.complete_members() {
                Some(users) => users.iter().cloned().collect(),
                None => self
                    .paced_call("usergroups.users.list", calls, || {
                        self.slack.usergroup_members(&id)
                    })
                    .await?
                    .into_iter()
                    .map(|u| u.0)
                    .collect(),
            };
            directory.members.insert(id, members);
        }
        Ok(directory)
    }

    pub(super) fn rule_groups<'a>(
        rule: &'a SyncRule,
        ids: &'a HashMap<String, UserGroupId>,
    ) -> Vec<&'a UserGroupId> {
        match &rule.source {
            SyncSource::UserGroups(groups) => groups
                .iter()
                .filter_map(|g| {
                    let g = g.trim_start_matches('@');
                    ids.get(g).or_else(|| ids.get(&g.to_lowercase()))
                })
                .collect(),
            SyncSource::Workspace { .. } => Vec::new(),
        }
    }

    /// Who each rule wants: members of its groups (or everyone), looked up in one `users.list`
    /// pass. Only the people some rule covers are kept in memory.
    pub(super) async fn wanted_by_rule(
        &self,
        rules: &[SyncRule],
        calls: &Calls,
        progress: &dyn super::SyncProgress,
    ) -> anyhow::Result<Vec<BTreeMap<Email, Wanted>>> {
        let GroupDirectory { ids, members } = self.group_directory(rules, calls).await?;
        let everyone = rules
            .iter()
            .any(|r| matches!(r.source, SyncSource::Workspace { .. }));
        let needed: HashSet<&String> = members.values().flatten().collect();
        let mut people: HashMap<String, Person> = HashMap::new();
        let mut cursor: Option<String> = None;
        let (mut pages, mut read) = (0u64, 0u64);
        loop {
            let page = self
                .paced_call("users.list", calls, || {
                    self.slack
                        .users_page(cursor.as_deref(), self.settings().sync.page_size)
                })
                .await?;
            pages += 1;
            read += page.items.len() as u64;
            progress.update(&super::SyncStage::Directory {
                pages,
                people: read,
            });
            for user in &page.items {
                if (everyone || needed.contains(&user.id))
                    && let Some(p) = person(user)
                {
                    people.insert(user.id.clone(), p);
                }
            }
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let mut wanted = Vec::with_capacity(rules.len());
        for rule in rules {
            let mut map = BTreeMap::new();
            let mut add = |id: &String, p: &Person| {
                map.insert(p.email.clone(), p.wanted(id, &rule.target_team));
            };
            match &rule.source {
                SyncSource::Workspace { include_guests } => {
                    for (id, p) in &people {
                        if p.eligible && (*include_guests || !p.guest) {
                            add(id, p);
                        }
                    }
                }
                SyncSource::UserGroups(_) => {
                    for group in Self::rule_groups(rule, &ids) {
                        for id in members.get(group).into_iter().flatten() {
                            if let Some(p) = people.get(id).filter(|p| p.eligible && !p.guest) {
                                add(id, p);
                            }
                        }
                    }
                }
            }
            wanted.push(map);
        }
        Ok(wanted)
    }
}
