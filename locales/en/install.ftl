# Installs through OAuth: the installer's welcome, a workspace's settings, and the page an
# installer lands on. Every key here exists in fr/install.ftl too.

install-welcome = :wave: Guestlist is installed in *{ $name }*. Set it up for this workspace: where requests go, who approves them, how guest accounts are made, and the language of what it posts.
install-open-settings = Open settings
install-settings-not-allowed = Only workspace owners and admins change Guestlist's settings.
install-settings-invite-bot = { $channel } is private and Guestlist is not in it, so it could not post requests there. Invite the app into the channel (/invite @Guestlist), then save again.
install-settings-saved = Saved: Guestlist uses these settings in this workspace from now on.
install-settings-off = This deployment serves one workspace; its settings are in the configuration file.

settings-title = Guestlist settings
settings-save = Save
settings-intro = What you choose here holds for this workspace; anything left empty follows the deployment's configuration.
settings-channel = Request channel
settings-channel-hint = Where request cards are posted. Invite Guestlist to it.
settings-approvers = Approvers
settings-approvers-hint = They decide every request (and may end access, import and review). Empty: the deployment's roles.
settings-groups = Approver groups
settings-provisioning = Guest accounts are made
settings-mode = { $mode ->
    [slack_admin] by Guestlist, through Enterprise Grid's admin API
    [scim] by Guestlist, through SCIM
   *[manual] by an admin, whom Guestlist asks and reminds
}
settings-language = Language of cards and threads
settings-language-name = { $code ->
    [fr] Français
   *[en] English
}

oauth-title-installed = Guestlist is installed
oauth-installed = Guestlist is installed in { $name }. The person who installed it has a message in Slack to set it up.
oauth-installed-org = Guestlist is installed for the whole organisation { $name }. The person who installed it has a message in Slack to set it up.
oauth-title-failed = Guestlist was not installed
oauth-cancelled = The installation was cancelled on Slack's page. Nothing was installed.
oauth-bad-state = This link did not come from this Guestlist. Start again from the install page.
oauth-stale = This installation took longer than ten minutes. Start again from the install page.
oauth-replayed = This installation link was already used. Start again from the install page.
oauth-other-browser = This installation was started in another browser. Start again from the install page, in this browser.
oauth-refused = Slack refused the installation ({ $code }). Start again from the install page; if it happens again, tell the people who run Guestlist.
oauth-unavailable = Slack or the database could not be reached. Try again in a minute.
oauth-not-allowed = This Guestlist does not serve { $name }, so nothing was stored. Remove the app from the workspace's settings, or ask the people who run Guestlist to add it.
oauth-off = This Guestlist serves one workspace and is not installed through Slack's install page.
oauth-again = Install again
install-tokens-dead = :rotating_light: Slack refused to renew Guestlist's tokens for this workspace. Guestlist stops working { $until }: guests would then keep their access past their end. Install Guestlist again (its install page) before then.
