# Les demandes : le formulaire, la fiche, les décisions, les votes, les rappels, `/guest`.

state = { $state ->
    [pending] en attente d'approbation
    [approved] approuvée
    [denied] refusée
    [cancelled] annulée
    [invited] invitation envoyée
    [active] active
    [invite_expired] invitation expirée
    [expired] expirée
    [revoked] révoquée
    [already_member] déjà membre à part entière
    [lapsed] expirée sans décision
   *[ended_outside] terminée en dehors de Guestlist
}
guest-type = { $kind ->
    [single_channel] Invité monocanal
    [multi_channel] Invité multicanal
   *[member] Membre à part entière
}
