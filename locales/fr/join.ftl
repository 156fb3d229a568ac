# La page d'inscription (personnes hors de Slack). Chaque clé existe aussi dans en/join.ftl.

page-title = Demander un accès invité
switch-language = English
switch-language-code = en
skip-to-form = Aller au formulaire

offer-link = { $sponsor } vous invite à rejoindre notre espace de travail Slack en tant qu'invité.
offer-self = Les personnes dont l'adresse e-mail est chez { $domains } peuvent demander ici un accès invité à notre espace de travail Slack.
offer-what = Ce que vous obtiendrez
offer-type = Accès
offer-channels = Canaux
offer-until = Jusqu'au
type-single = Invité monocanal (un seul canal)
type-multi = Invité multicanal
until-days = { $days ->
    [one] un jour après l'approbation
   *[other] { $days } jours après l'approbation
}
until-date = { $date } (UTC)
until-never = Sans date de fin

form-legend = Vous concernant
field-name = Nom complet
field-email = E-mail professionnel
field-organisation = Organisation
field-phone = Téléphone (facultatif)
field-phone-hint = Format international, par exemple +33 1 23 45 67 89.
field-reason = Pourquoi avez-vous besoin d'un accès ?
field-reason-hint = Sur quoi vous allez travailler, et avec qui.
honeypot-label = Laissez ce champ vide
submit = Envoyer ma demande
form-has-errors = { $count ->
    [one] Un champ demande votre attention.
   *[other] { $count } champs demandent votre attention.
}
form-expired = Ce formulaire avait expiré : rien n'a été envoyé. Vérifiez les champs et renvoyez-le.

err-required = Ce champ est obligatoire.
err-too-long = { $max } caractères au maximum.
err-email-invalid = Saisissez une adresse e-mail valide, par exemple nom@entreprise.fr.
err-domain-blocked = Un accès invité ne peut pas être demandé pour ce domaine.
err-domain-not-allowed = Seules les adresses chez { $domains } peuvent s'inscrire ici.
err-phone-invalid = Saisissez le numéro au format international : + indicatif du pays, puis le numéro.
err-taken = Cette adresse e-mail a déjà une demande ou un compte. Si cela vous semble une erreur, contactez { $sponsor }.
err-domain-busy = Cette page a reçu aujourd'hui toutes les demandes qu'elle accepte pour les adresses de ce domaine. Réessayez demain, ou contactez { $sponsor }.
err-phone-taken = Ce numéro de téléphone est déjà indiqué pour une autre demande ou un autre compte. Si cela vous semble être une erreur, contactez { $sponsor }.

sent-title = Demande envoyée
sent-body = Merci. Votre demande est transmise aux approbateurs de l'espace de travail, avec { $sponsor } comme parrain. Si elle est approuvée, Slack vous enverra une invitation par e-mail.
sent-next = Vous pouvez fermer cette page.

closed-title = Ce lien n'est plus utilisable
closed-revoked = Ce lien d'invitation a été retiré.
closed-expired = Ce lien d'invitation a expiré.
closed-used-up = Ce lien d'invitation a déjà été utilisé autant de fois que prévu.
closed-ask = Demandez un nouveau lien à { $sponsor }.

not-found-title = Lien introuvable
not-found-body = Ce lien d'invitation n'existe pas. Vérifiez que vous avez copié l'adresse en entier, ou demandez-en un nouveau à la personne qui vous l'a envoyé.
self-off-body = Cette page ne fonctionne qu'avec un lien d'invitation. Demandez-en un à votre contact dans l'entreprise.

too-many-title = Trop de tentatives
too-many-body = { $seconds ->
    [one] Patientez une seconde, puis réessayez.
   *[other] Patientez { $seconds } secondes, puis réessayez.
}

bad-request-title = Ce formulaire pose problème
bad-request-body = Le formulaire n'a pas pu être lu. Rechargez la page et réessayez.
error-title = Une erreur s'est produite de notre côté
error-body = Rien n'est perdu : réessayez dans une minute.
