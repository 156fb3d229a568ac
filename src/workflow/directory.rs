//! Who people are, as far as decisions need: time zone, name, admin flag, group memberships.
//! Looked up in Slack and cached for a short, configurable time, because every click re-checks
//! authority and Slack's per-method limits are low.

use crate::domain::{TeamId, UserGroupId, UserId};
use crate::slack::{SlackApi, SlackResult};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub id: UserId,
    pub name: String,
    pub tz: Option<String>,
    /// Their Slack language (`fr-FR`), when Slack said.
    pub locale: Option<String>,
    pub email: Option<String>,
    pub is_admin_or_owner: bool,
    pub is_owner: bool,
    /// A single- or multi-channel guest.
    pub is_guest: bool,
    pub is_bot: bool,
    pub deleted: bool,
}

/// Entries with the moment they were fetched.
type Cache<K, V> = Mutex<HashMap<K, (Instant, V)>>;

/// A group's members as read, and the group's version at that moment.
type Members = (i64, Arc<HashSet<UserId>>);

/// Entries are kept per workspace of the work under way: on Enterprise Grid one user id is
/// the same person in every workspace, but their admin and guest flags are each workspace's.
type Scoped<K> = (Option<TeamId>, K);

pub struct Directory {
    slack: SlackApi,
    ttl: Duration,
    people: Cache<Scoped<UserId>, Person>,
    groups: Cache<Scoped<UserGroupId>, Members>,
}

impl Directory {
    pub fn new(slack: SlackApi, ttl: Duration) -> Self {
        Self {
            slack,
            ttl,
            people: Mutex::default(),
            groups: Mutex::default(),
        }
    }

    fn fresh<K: std::hash::Hash + Eq, V: Clone>(&self, map: &Cache<K, V>, key: &K) -> Option<V> {
        let map = map.lock().expect("directory lock");
        map.get(key)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, v)| v.clone())
    }

    pub async fn person(&self, user: &UserId) -> SlackResult<Person> {
        let key = (super::tenants::current_team(), user.clone());
        if let Some(person) = self.fresh(&self.people, &key) {
            return Ok(person);
        }
        let raw = self.slack.user_info(user).await?;
        let flags = &raw.flags;
        let person = Person {
            id: user.clone(),
            name: raw
                .real_name
                .clone()
                .or_else(|| raw.profile.as_ref().and_then(|p| p.real_name.clone()))
                .or_else(|| raw.name.clone())
                .unwrap_or_else(|| user.to_string()),
            tz: raw.tz.clone(),
            locale: raw.locale.as_ref().map(|l| l.0.clone()),
            email: raw
                .profile
                .as_ref()
                .and_then(|p| p.email.as_ref().map(|e| e.0.clone())),
            is_admin_or_owner: flags.is_admin.unwrap_or(false)
                || flags.is_owner.unwrap_or(false)
                || flags.is_primary_owner.unwrap_or(false),
            is_owner: flags.is_owner.unwrap_or(false) || flags.is_primary_owner.unwrap_or(false),
            is_guest: flags.is_restricted.unwrap_or(false)
                || flags.is_ultra_restricted.unwrap_or(false),
            is_bot: flags.is_bot.unwrap_or(false),
            deleted: raw.deleted.unwrap_or(false),
        };
        self.people
            .lock()
            .expect("directory lock")
            .insert(key, (Instant::now(), person.clone()));
        Ok(person)
    }

    /// A group's members, read again when the cache is older than the TTL or than `version`
    /// (the store's counter for the group, bumped by every membership event on any replica).
    pub async fn group_members(
        &self,
        group: &UserGroupId,
        version: i64,
    ) -> SlackResult<Arc<HashSet<UserId>>> {
        let key = (super::tenants::current_team(), group.clone());
        if let Some((seen, members)) = self.fresh(&self.groups, &key)
            && seen >= version
        {
            return Ok(members);
        }
        let members: Arc<HashSet<UserId>> = Arc::new(
            self.slack
                .usergroup_members(group)
                .await?
                .into_iter()
                .collect(),
        );
        self.groups
            .lock()
            .expect("directory lock")
            .insert(key, (Instant::now(), (version, members.clone())));
        Ok(members)
    }

    /// Whether `user` is in any of the groups (each with its current version).
    pub async fn in_any_group(
        &self,
        user: &UserId,
        groups: &[(UserGroupId, i64)],
    ) -> SlackResult<bool> {
        for (group, version) in groups {
            if self.group_members(group, *version).await?.contains(user) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Those of `groups` (each with its current version) that `user` is in.
    pub async fn groups_of(
        &self,
        user: &UserId,
        groups: &[(UserGroupId, i64)],
    ) -> SlackResult<Vec<UserGroupId>> {
        let mut member_of = Vec::new();
        for (group, version) in groups {
            if self.group_members(group, *version).await?.contains(user) {
                member_of.push(group.clone());
            }
        }
        Ok(member_of)
    }

    /// Forgets a person, in every workspace (after `user_change`).
    pub fn forget_person(&self, user: &UserId) {
        self.people
            .lock()
            .expect("directory lock")
            .retain(|(_, id), _| id != user);
    }
}
