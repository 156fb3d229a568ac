# Pourquoi une saisie a été refusée : sur un champ de formulaire, une ligne de CSV, la date d'une revue. Texte brut (les
# erreurs des fenêtres modales n'affichent aucune mise en forme). Chaque clé d'ici existe aussi dans en/problems.ftl.

problem-email-empty = Saisissez l'adresse e-mail de l'invité.
problem-email-invalid = Cette adresse e-mail n'est pas valide.
problem-email-too-long = Une adresse e-mail compte au plus 254 caractères.
problem-domain-blocked = Impossible d'inviter des personnes du domaine { $domain } (domaine bloqué).
problem-contact-taken = Cette adresse e-mail ou ce numéro de téléphone est déjà utilisé pour un autre invité.
problem-name-empty = Saisissez le nom complet de l'invité.
problem-reason-empty = Indiquez pourquoi cet invité a besoin d'un accès.
problem-required = Ce champ est obligatoire.
problem-too-long = Saisissez au plus { $max } caractères.
problem-phone-invalid = Saisissez le numéro au format international : + indicatif du pays, puis le numéro (par exemple +33 1 99 00 12 34).
problem-guest-type-missing = Choisissez le type d'invité.
problem-guest-type-not-allowed = { $kind ->
    [single_channel] Les invités monocanaux
    [multi_channel] Les invités multicanaux
   *[other] Les membres à part entière
} ne sont pas autorisés ici.
problem-one-channel-only = Un invité monocanal a accès à un seul canal, ni plus ni moins.
problem-no-channel = Choisissez au moins un canal.
problem-too-many-channels = Choisissez au plus { $max } canaux.
problem-expiry-mode-missing = Choisissez quand le compte prend fin.
problem-days-missing = Saisissez un nombre de jours.
problem-days-invalid = Saisissez un nombre entier de jours, de 1 à { $max }.
problem-date-missing = Choisissez la date de fin du compte.
problem-date-invalid = Choisissez une date dans le calendrier.
problem-time-invalid = Choisissez une heure dans la liste.
problem-time-skipped = { $at } n'existe pas dans votre fuseau horaire (cette heure est sautée au changement d'heure) ; choisissez une autre heure.
problem-moment-passed = Ce moment est déjà passé ; choisissez-en un plus tardif.
problem-must-end-max = Les comptes invités doivent avoir une date de fin ; la durée maximale autorisée est de { $max } jours.
problem-must-end = Les comptes invités doivent avoir une date de fin ; choisissez une durée ou une date.
problem-expiry-too-long = La durée maximale autorisée est de { $max } jours.
problem-keep-one-channel = Gardez au moins un canal.
problem-only-asked-channels = Seuls les canaux demandés peuvent être conservés ; pour ajouter des canaux, il faut une nouvelle demande.
problem-only-multi-to-single = Le seul changement de type qui restreint une demande est le passage de multicanal à monocanal.
problem-never-is-new = La demande a une date de fin ; un accès sans date de fin nécessite une nouvelle demande.
problem-later-end-is-new = Une fin plus tardive que celle demandée nécessite une nouvelle demande.
problem-end-in-past = La date de fin doit être dans le futur.
problem-date-after-today = Choisissez une date postérieure à aujourd'hui.
problem-date-before-end = Choisissez une date antérieure à la fin actuelle ; pour prolonger l'accès, demandez une prolongation.
problem-row-shape = { $values } valeurs ; la ligne d'en-tête compte { $columns } colonnes
problem-same-email-as-line = même adresse e-mail qu'à la ligne { $line }
problem-same-phone-as-line = même numéro de téléphone qu'à la ligne { $line }
problem-phone-held-by = le numéro figure déjà sur { $id } ({ $state })
problem-already-has = a déjà { $id } ({ $state })
problem-already-full-member = { $email } est déjà membre à part entière de cet espace de travail
problem-sponsor-confirms = parrain : { $sponsor }, qui confirme aussi cet import ; un autre approbateur doit le confirmer
problem-guest-type-unknown = le type d'invité « { $raw } » n'est ni single_channel ni multi_channel
problem-unknown-channel = canal inconnu : { $name }
problem-no-sponsor = aucun parrain (indiquez-en un, sinon c'est la personne qui importe)
problem-sponsor-unknown = le parrain { $raw } n'est pas une personne de cet espace de travail
problem-manager-unknown = le responsable { $raw } n'est pas une personne de cet espace de travail
problem-expires-unreadable = la fin « { $raw } » n'est ni un nombre de jours (30d), ni une date (2027-03-31), ni une date avec une heure, ni never
problem-expires-missing = aucune fin (30d, une date ou never)
problem-expires-past = la fin { $raw } est déjà passée
problem-phone-not-e164 = le numéro « { $raw } » n'est pas au format E.164 (+ indicatif du pays et numéro)
problem-in-column = { $column } : { $problem }

file-too-large = Le fichier dépasse { $mb } Mo ; j'importe au plus { $max } octets à la fois. Découpez-le en fichiers plus petits.
file-empty = Le fichier est vide ; il lui faut une ligne d'en-tête et au moins un invité.
file-encoding = Le fichier n'est pas du texte UTF-8 (ligne { $line }). Enregistrez-le au format « CSV UTF-8 » et réessayez.
file-unbalanced-quotes = Un guillemet ouvert à la ligne { $line } n'est jamais fermé : les lignes qui suivent ne peuvent donc pas être lues.
file-missing-column = La ligne d'en-tête n'a pas de colonne { $column } (colonnes obligatoires : { $required }).
file-unknown-column = La ligne d'en-tête contient une colonne inconnue « { $column } » (colonnes reconnues : { $known }).
file-duplicate-column = La colonne « { $column } » apparaît deux fois dans la ligne d'en-tête.
file-too-many-rows = Le fichier contient { $rows } lignes ; j'importe au plus { $max } lignes à la fois.
file-unreadable = Ligne { $line } : { $message }
