# The join page (people outside Slack). Every key here exists in fr/join.ftl too
# (`cargo test catalogue` fails otherwise).

page-title = Ask for guest access
switch-language = Français
switch-language-code = fr
skip-to-form = Skip to the form

offer-link = { $sponsor } invites you to join our Slack workspace as a guest.
offer-self = People with an email address at { $domains } can ask here for guest access to our Slack workspace.
offer-what = What you will get
offer-type = Access
offer-channels = Channels
offer-until = Until
type-single = Single-channel guest (one channel)
type-multi = Multi-channel guest
until-days = { $days ->
    [one] one day after approval
   *[other] { $days } days after approval
}
until-date = { $date } (UTC)
until-never = No end date

form-legend = About you
field-name = Full name
field-email = Work email
field-organisation = Organisation
field-phone = Phone (optional)
field-phone-hint = International format, for example +44 20 7946 0000.
field-reason = Why do you need access?
field-reason-hint = What you will work on, and with whom.
honeypot-label = Leave this field empty
submit = Send my request
form-has-errors = { $count ->
    [one] One field needs your attention.
   *[other] { $count } fields need your attention.
}
form-expired = This form had expired, so nothing was sent. Check the fields and send it again.

err-required = This field is required.
err-too-long = Use at most { $max } characters.
err-email-invalid = Enter a valid email address, such as name@company.com.
err-domain-blocked = Guest access cannot be requested for this email domain.
err-domain-not-allowed = Only addresses at { $domains } can register here.
err-phone-invalid = Enter the number in international format: + country code, then the number.
err-taken = This email address already has a request or an account. If that seems wrong, contact { $sponsor }.
err-domain-busy = This page has taken all the requests it takes today for addresses of this domain. Please try again tomorrow, or contact { $sponsor }.
err-phone-taken = This phone number is already given for another request or account. If that seems wrong, contact { $sponsor }.

sent-title = Request sent
sent-body = Thank you. Your request is with the workspace's approvers, with { $sponsor } as your sponsor. If it is approved, Slack will email you an invitation.
sent-next = You can close this page.

closed-title = This link can no longer be used
closed-revoked = This invitation link was withdrawn.
closed-expired = This invitation link has expired.
closed-used-up = This invitation link has already been used as many times as it allows.
closed-ask = Ask { $sponsor } for a new link.

not-found-title = Link not found
not-found-body = This invitation link does not exist. Check that you copied the whole address, or ask the person who sent it to you for a new one.
self-off-body = This page only works through an invitation link. Ask your contact in the company for one.

too-many-title = Too many attempts
too-many-body = { $seconds ->
    [one] Please wait one second, then try again.
   *[other] Please wait { $seconds } seconds, then try again.
}

bad-request-title = Something is wrong with this form
bad-request-body = The form could not be read. Reload the page and try again.
error-title = Something went wrong on our side
error-body = Nothing was lost: please try again in a minute.
