//! Roles: who holds them (people, user groups, workspace admins and owners, everyone) and what
//! they may do, everywhere or only for requests whose channels are all in the role's scope. Pure:
//! the workflow looks up the actor's groups and flags, this module decides.

use super::ids::{ChannelId, UserGroupId, UserId};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Something a role may let its holders do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Right {
    /// Ask for guest accounts.
    Request,
    /// Approve or deny requests (with changes, too), confirm admin tasks, retry invitations.
    Decide,
    /// End a guest's access.
    Revoke,
    /// Make a guest a full member.
    Convert,
    /// Import guests from a CSV file.
    Import,
    /// Run group sync and apply plans the guard held.
    Sync,
    /// Answer access reviews.
    Review,
}

impl Right {
    pub const ALL: [Right; 7] = [
        Right::Request,
        Right::Decide,
        Right::Revoke,
        Right::Convert,
        Right::Import,
        Right::Sync,
        Right::Review,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Right::Request => "request",
            Right::Decide => "decide",
            Right::Revoke => "revoke",
            Right::Convert => "convert",
            Right::Import => "import",
            Right::Sync => "sync",
            Right::Review => "review",
        }
    }

    pub fn parse(s: &str) -> Option<Right> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether the right is about one request (and so limited by a role's channels).
    pub fn is_per_request(self) -> bool {
        !matches!(self, Right::Import | Right::Sync)
    }
}

impl fmt::Display for Right {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The built-in roles a configured role may start from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// Everything, everywhere.
    Owner,
    /// Decide, revoke and review, in their channels.
    Manager,
    /// Request only.
    Member,
}

impl Preset {
    pub fn parse(s: &str) -> Option<Preset> {
        match s {
            "owner" => Some(Preset::Owner),
            "manager" => Some(Preset::Manager),
            "member" => Some(Preset::Member),
            _ => None,
        }
    }

    pub fn rights(self) -> BTreeSet<Right> {
        match self {
            Preset::Owner => Right::ALL.into_iter().collect(),
            Preset::Manager => [Right::Decide, Right::Revoke, Right::Review].into(),
            Preset::Member => [Right::Request].into(),
        }
    }
}

/// Who holds a role.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holders {
    pub users: Vec<UserId>,
    pub usergroups: Vec<UserGroupId>,
    pub workspace_admins: bool,
    pub workspace_owners: bool,
    /// Every person of the workspace (guests excepted).
    pub everyone: bool,
}

/// Where a role's per-request rights apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Everywhere,
    /// Requests whose channels are all among these.
    Channels(Vec<ChannelId>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    pub name: String,
    pub rights: BTreeSet<Right>,
    pub holders: Holders,
    pub scope: Scope,
    /// A channel's own admin group: its members hold this role for that channel.
    pub channel_admins: BTreeMap<ChannelId, UserGroupId>,
}

impl Roles {
    /// The roles of a workspace whose owner named its approvers in Slack: those people and
    /// groups hold every right everywhere, in place of the file's roles that decide; the
    /// file's other roles (who may request) stay.
    pub fn with_approvers(&self, users: Vec<UserId>, usergroups: Vec<UserGroupId>) -> Roles {
        let mut roles: Vec<Role> = self
            .0
            .iter()
            .filter(|r| !r.rights.contains(&Right::Decide))
            .cloned()
            .collect();
        roles.push(Role {
            name: "approvers".into(),
            rights: Preset::Owner.rights(),
            holders: Holders {
                users,
                usergroups,
                ..Holders::default()
            },
            scope: Scope::Everywhere,
            channel_admins: BTreeMap::new(),
        });
        Roles(roles)
    }
}

/// What the workflow found out about a person, just now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Standing {
    pub user: UserId,
    /// Those of the roles' groups the person is in.
    pub groups: BTreeSet<UserGroupId>,
    pub is_admin: bool,
    pub is_owner: bool,
    /// A guest holds no role (guests do not sponsor or decide).
    pub is_guest: bool,
    /// Nor does a deactivated person, however a role names them.
    pub deactivated: bool,
}

impl Standing {
    /// Guests and deactivated people hold no role, whether a role names them by id, by group
    /// or by flag.
    fn holds_nothing(&self) -> bool {
        self.is_guest || self.deactivated
    }
}

/// Why someone may not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum Refusal {
    /// Nobody decides (or reviews) their own request.
    OwnRequest,
    /// No role of theirs has this right.
    NotAllowed { right: Right },
    /// Their roles with this right do not cover these channels of the request.
    OutsideScope {
        right: Right,
        channels: Vec<ChannelId>,
    },
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::OwnRequest => "own_request",
            Refusal::NotAllowed { .. } => "not_allowed",
            Refusal::OutsideScope { .. } => "outside_scope",
        }
    }
}

impl Role {
    fn holds_directly(&self, s: &Standing) -> bool {
        let h = &self.holders;
        h.everyone
            || h.users.contains(&s.user)
            || h.usergroups.iter().any(|g| s.groups.contains(g))
            || (h.workspace_admins && (s.is_admin || s.is_owner))
            || (h.workspace_owners && s.is_owner)
    }

    /// Whether `s` holds this role for `channel`.
    fn covers(&self, s: &Standing, channel: &ChannelId) -> bool {
        let in_scope = match &self.scope {
            Scope::Everywhere => true,
            Scope::Channels(channels) => channels.contains(channel),
        };
        (in_scope && self.holds_directly(s))
            || self
                .channel_admins
                .get(channel)
                .is_some_and(|g| s.groups.contains(g))
    }

    /// Whether `s` holds this role at all (anywhere).
    pub fn held_by(&self, s: &Standing) -> bool {
        self.holds_directly(s) || self.channel_admins.values().any(|g| s.groups.contains(g))
    }

    /// Whether this role lets `s` use `right` on a request for `channels` (every one of them
    /// in scope), or anywhere (`channels` empty: a right not tied to a request needs the role
    /// everywhere).
    fn grants(&self, s: &Standing, right: Right, channels: &[ChannelId]) -> bool {
        self.rights.contains(&right)
            && if channels.is_empty() || !right.is_per_request() {
                self.scope == Scope::Everywhere && self.holds_directly(s)
            } else {
                channels.iter().all(|c| self.covers(s, c))
            }
    }
}

/// Every role of the deployment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roles(pub Vec<Role>);

impl Roles {
    /// May `s` use `right` on a request for `channels` (raised by `requester`, if any)? On yes,
    /// the names of the roles that let them (for quorums that want distinct roles).
    pub fn may(
        &self,
        s: &Standing,
        right: Right,
        channels: &[ChannelId],
        requester: Option<&UserId>,
    ) -> Result<Vec<String>, Refusal> {
        if matches!(right, Right::Decide | Right::Review) && requester == Some(&s.user) {
            return Err(Refusal::OwnRequest);
        }
        if s.holds_nothing() {
            return Err(Refusal::NotAllowed { right });
        }
        let granting: Vec<String> = self
            .0
            .iter()
            .filter(|r| r.grants(s, right, channels))
            .map(|r| r.name.clone())
            .collect();
        if !granting.is_empty() {
            return Ok(granting);
        }
        let with_right: Vec<&Role> = self
            .0
            .iter()
            .filter(|r| r.rights.contains(&right) && r.held_by(s))
            .collect();
        if with_right.is_empty() || !right.is_per_request() || channels.is_empty() {
            return Err(Refusal::NotAllowed { right });
        }
        // They have the right somewhere, but not for all of this request's channels.
        let outside: Vec<ChannelId> = channels
            .iter()
            .filter(|c| !with_right.iter().any(|r| r.covers(s, c)))
            .cloned()
            .collect();
        Err(Refusal::OutsideScope {
            right,
            channels: if outside.is_empty() {
                channels.to_vec()
            } else {
                outside
            },
        })
    }

    /// Whether `s` has `right` for any request at all (App Home shows them the queue).
    pub fn has_anywhere(&self, s: &Standing, right: Right) -> bool {
        !s.holds_nothing()
            && self
                .0
                .iter()
                .any(|r| r.rights.contains(&right) && r.held_by(s))
    }

    /// The roles with any of `rights`.
    fn with_any<'a>(&'a self, rights: &'a [Right]) -> impl Iterator<Item = &'a Role> {
        self.0
            .iter()
            .filter(move |r| rights.iter().any(|right| r.rights.contains(right)))
    }

    /// The user groups of the roles with any of `rights`, so the workflow looks up only those.
    pub fn groups(&self, rights: &[Right]) -> Vec<UserGroupId> {
        let mut groups: BTreeSet<UserGroupId> = BTreeSet::new();
        for role in self.with_any(rights) {
            groups.extend(role.holders.usergroups.iter().cloned());
            groups.extend(role.channel_admins.values().cloned());
        }
        groups.into_iter().collect()
    }

    /// Whether `user` is named in a role that gives every one of `rights` everywhere: then
    /// nothing but their flags needs looking up.
    pub fn names_everywhere(&self, user: &UserId, rights: &[Right]) -> bool {
        self.0.iter().any(|r| {
            r.scope == Scope::Everywhere
                && r.holders.users.contains(user)
                && rights.iter().all(|right| r.rights.contains(right))
        })
    }

    /// The roles with `right` that hold everywhere (for mentions: who can decide anything).
    pub fn everywhere_with(&self, right: Right) -> impl Iterator<Item = &Role> {
        self.0
            .iter()
            .filter(move |r| r.rights.contains(&right) && r.scope == Scope::Everywhere)
    }

    /// The roles that give `right` for every one of `channels` to their direct holders.
    pub fn covering(&self, right: Right, channels: &[ChannelId]) -> impl Iterator<Item = &Role> {
        let channels = channels.to_vec();
        self.0.iter().filter(move |r| {
            r.rights.contains(&right)
                && match &r.scope {
                    Scope::Everywhere => true,
                    Scope::Channels(scope) => channels.iter().all(|c| scope.contains(c)),
                }
        })
    }

    pub fn by_name(&self, name: &str) -> Option<&Role> {
        self.0.iter().find(|r| r.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(name: &str, preset: Preset, holders: Holders, scope: Scope) -> Role {
        Role {
            name: name.into(),
            rights: preset.rights(),
            holders,
            scope,
            channel_admins: BTreeMap::new(),
        }
    }

    fn person(id: &str, groups: &[&str]) -> Standing {
        Standing {
            user: UserId::from(id),
            groups: groups.iter().map(|g| UserGroupId::from(*g)).collect(),
            ..Standing::default()
        }
    }

    fn roles() -> Roles {
        let a = ChannelId::from("CA");
        let mut manager = role(
            "manager",
            Preset::Manager,
            Holders {
                users: vec![UserId::from("UMAN")],
                ..Holders::default()
            },
            Scope::Channels(vec![a.clone()]),
        );
        manager
            .channel_admins
            .insert(ChannelId::from("CB"), UserGroupId::from("SBADMINS"));
        Roles(vec![
            role(
                "owner",
                Preset::Owner,
                Holders {
                    usergroups: vec![UserGroupId::from("SOWNERS")],
                    workspace_owners: true,
                    ..Holders::default()
                },
                Scope::Everywhere,
            ),
            manager,
            role(
                "member",
                Preset::Member,
                Holders {
                    everyone: true,
                    ..Holders::default()
                },
                Scope::Everywhere,
            ),
        ])
    }

    #[test]
    fn a_manager_decides_in_their_channels_only() {
        let r = roles();
        let (a, b) = (ChannelId::from("CA"), ChannelId::from("CB"));
        let manager = person("UMAN", &[]);
        assert_eq!(
            r.may(&manager, Right::Decide, std::slice::from_ref(&a), None),
            Ok(vec!["manager".to_string()])
        );
        assert_eq!(
            r.may(&manager, Right::Decide, &[a.clone(), b.clone()], None),
            Err(Refusal::OutsideScope {
                right: Right::Decide,
                channels: vec![b.clone()]
            })
        );
        assert_eq!(
            r.may(&manager, Right::Convert, std::slice::from_ref(&a), None),
            Err(Refusal::NotAllowed {
                right: Right::Convert
            }),
            "managers do not convert"
        );
        // A channel's own admin group manages that channel.
        let b_admin = person("UBADMIN", &["SBADMINS"]);
        assert!(r.may(&b_admin, Right::Decide, &[b], None).is_ok());
        assert!(r.may(&b_admin, Right::Decide, &[a], None).is_err());
    }

    #[test]
    fn owners_do_everything_and_members_only_ask() {
        let r = roles();
        let channels = [ChannelId::from("CA"), ChannelId::from("CZ")];
        let owner = person("UOWN", &["SOWNERS"]);
        for right in Right::ALL {
            assert!(r.may(&owner, right, &channels, None).is_ok(), "{right}");
        }
        let boss = Standing {
            is_owner: true,
            ..person("UBOSS", &[])
        };
        assert!(r.may(&boss, Right::Sync, &[], None).is_ok());
        let member = person("UMEM", &[]);
        assert!(r.may(&member, Right::Request, &[], None).is_ok());
        assert_eq!(
            r.may(&member, Right::Decide, &channels, None),
            Err(Refusal::NotAllowed {
                right: Right::Decide
            })
        );
        assert!(!r.has_anywhere(&member, Right::Decide));
        let guest = Standing {
            is_guest: true,
            ..person("UGUEST", &[])
        };
        assert!(r.may(&guest, Right::Request, &[], None).is_err());
    }

    #[test]
    fn nobody_decides_their_own_request() {
        let r = roles();
        let owner = person("UOWN", &["SOWNERS"]);
        assert_eq!(
            r.may(
                &owner,
                Right::Decide,
                &[ChannelId::from("CA")],
                Some(&owner.user)
            ),
            Err(Refusal::OwnRequest)
        );
        assert!(
            r.may(
                &owner,
                Right::Revoke,
                &[ChannelId::from("CA")],
                Some(&owner.user)
            )
            .is_ok(),
            "a sponsor who is an owner may still end their guest's access"
        );
        assert_eq!(
            r.groups(&[Right::Decide]),
            vec![UserGroupId::from("SBADMINS"), UserGroupId::from("SOWNERS")]
        );
        assert_eq!(
            r.groups(&[Right::Import]),
            vec![UserGroupId::from("SOWNERS")],
            "only the groups of roles with the right are looked up"
        );
    }

    #[test]
    fn a_guest_or_a_deactivated_person_named_by_id_or_group_holds_no_role() {
        let r = Roles::default().with_approvers(
            vec![UserId::from("UGUEST"), UserId::from("UGONE")],
            vec![UserGroupId::from("SAPPROVERS")],
        );
        for (user, is_guest, deactivated) in [("UGUEST", true, false), ("UGONE", false, true)] {
            let s = Standing {
                user: UserId::from(user),
                groups: [UserGroupId::from("SAPPROVERS")].into(),
                is_guest,
                deactivated,
                ..Standing::default()
            };
            assert_eq!(
                r.may(&s, Right::Decide, &[], None),
                Err(Refusal::NotAllowed {
                    right: Right::Decide
                })
            );
            assert!(!r.has_anywhere(&s, Right::Decide));
        }
    }
}
