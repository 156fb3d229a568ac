//! Events that change who a rule wants: `subteam_members_changed` (just its delta) and a
//! newcomer's `team_join` (workspace rules).

use super::directory::{GroupDirectory, Person, person};
use super::*;

impl Workflow {
    /// Job: `subteam_members_changed` carries who joined and left one group; only they are looked at.
    /// Returns how many Slack calls it made.
    pub async fn sync_delta(
        &self,
        team: &TeamId,
        subteam: &str,
        added: &[String],
        removed: &[String],
    ) -> Result<usize, JobError> {
        let all_rules = self.rules(None).await?;
        let calls = Calls::default();
        // Current members of every group any rule reads (one call), to know who is still wanted.
        let GroupDirectory { ids, members } = self.group_directory(&all_rules, &calls).await?;
        let touched: Vec<&SyncRule> = all_rules
            .iter()
            .filter(|r| {
                Self::rule_groups(r, &ids)
                    .iter()
                    .any(|g| g.as_str() == subteam)
            })
            .collect();
        if touched.is_empty() {
            return Ok(calls.get());
        }
        // The people in the delta, one users.info each.
        let mut people: HashMap<String, Person> = HashMap::new();
        for id in added.iter().chain(removed) {
            let user_id = UserId::from(id.as_str());
            match self
                .paced_call("users.info", &calls, || self.slack.directory_user(&user_id))
                .await
            {
                Ok(user) => {
                    if let Some(p) = person(&user) {
                        people.insert(id.clone(), p);
                    }
                }
                Err(e) => {
                    tracing::warn!(user = %id, error = %format!("{e:#}"), "sync: could not look up a member")
                }
            }
        }
        let wants = |rule: &SyncRule, user: &str, p: &Person| -> bool {
            p.eligible
                && match &rule.source {
                    SyncSource::Workspace { include_guests } => *include_guests || !p.guest,
                    SyncSource::UserGroups(_) => {
                        !p.guest
                            && Self::rule_groups(rule, &ids)
                                .iter()
                                .any(|g| members.get(g).is_some_and(|m| m.contains(user)))
                    }
                }
        };
        let held_all = self.held_map(team).await?;
        for rule in touched {
            let wanted: BTreeMap<Email, Wanted> = added
                .iter()
                .filter_map(|u| {
                    people
                        .get(u)
                        .filter(|p| wants(rule, u, p))
                        .map(|p| (p.email.clone(), p.wanted(u, &rule.target_team)))
                })
                .collect();
            let delta_emails: HashSet<Email> = added
                .iter()
                .chain(removed)
                .filter_map(|u| people.get(u))
                .map(|p| p.email.clone())
                .collect();
            let held: HashMap<Email, Held> = held_all
                .iter()
                .filter(|(e, _)| delta_emails.contains(*e))
                .map(|(e, h)| (e.clone(), h.clone()))
                .collect();
            let elsewhere = |email: &Email| -> Option<String> {
                let (user, p) = people.iter().find(|(_, p)| &p.email == email)?;
                all_rules
                    .iter()
                    .find(|r| wants(r, user, p))
                    .map(|r| r.name.clone())
            };
            let plan = plan(&PlanInput {
                rule: &rule.name,
                wanted: &wanted,
                held: &held,
                wanted_elsewhere: &elsewhere,
                on_removal: rule.on_removal,
            });
            self.apply_event_plan(team, rule, &plan, "subteam_members_changed")
                .await?;
        }
        tracing::info!(
            subteam,
            added = added.len(),
            removed = removed.len(),
            calls = calls.get(),
            "sync delta applied"
        );
        Ok(calls.get())
    }

    /// Job: a new person joined the workspace; workspace rules may want them.
    pub(in crate::workflow) async fn sync_join(
        &self,
        team: &TeamId,
        user: &serde_json::Value,
    ) -> Result<(), JobError> {
        let rules: Vec<SyncRule> = self
            .rules(None)
            .await?
            .into_iter()
            .filter(|r| matches!(r.source, SyncSource::Workspace { .. }))
            .collect();
        if rules.is_empty() {
            return Ok(());
        }
        let Ok(user) = serde_json::from_value::<DirectoryUser>(user.clone()) else {
            return Ok(());
        };
        let Some(p) = person(&user) else {
            return Ok(());
        };
        let held_all = self.held_map(team).await?;
        for rule in &rules {
            let SyncSource::Workspace { include_guests } = rule.source else {
                continue;
            };
            if !p.eligible || (p.guest && !include_guests) {
                continue;
            }
            let wanted = BTreeMap::from([(p.email.clone(), p.wanted(&user.id, &rule.target_team))]);
            let held: HashMap<Email, Held> = held_all
                .get(&p.email)
                .map(|h| (p.email.clone(), h.clone()))
                .into_iter()
                .collect();
            let plan = plan(&PlanInput {
                rule: &rule.name,
                wanted: &wanted,
                held: &held,
                wanted_elsewhere: &|_| None,
                on_removal: rule.on_removal,
            });
            self.apply_event_plan(team, rule, &plan, "team_join")
                .await?;
        }
        Ok(())
    }
}
