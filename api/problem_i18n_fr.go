package api

import "regexp"

// moreFrenchPatterns translate the rest of the services' messages (series,
// calendars, mentors and mentees, statements, sign-in, webhooks); they are
// tried after frenchPatterns. TestEveryProblemMessageHasFrench finds a
// message that neither covers.
var moreFrenchPatterns = []struct{ en, fr string }{
	// Series.
	{`^(\S+) is not free \((.+)\)$`, "$1 n'est pas libre ($2)"},
	{`^(\d+) of the (\d+) sessions are not free \(first: (\S+), (.+)\); nothing was booked$`, "$1 des $2 séances ne sont pas libres (première : $3, $4) ; rien n'a été réservé"},
	{`^none of the (\d+) sessions is free; nothing was booked$`, "aucune des $1 séances n'est libre ; rien n'a été réservé"},
	{`^a session of the series was just taken; please preview again$`, "une séance de la série vient d'être prise ; affichez de nouveau l'aperçu"},
	{`^was already used with a different request body$`, "a déjà servi pour une autre requête"},
	{`^must be between (\d+) and (\d+) sessions \(got (-?\d+)\)$`, "doit être entre $1 et $2 séances (et non $3)"},
	{`^must be between 1 and (\d+) weeks \(got (-?\d+)\)$`, "doit être entre 1 et $1 semaines (et non $2)"},
	{`^(\S+) is not on the mentor's half-hour grid \((.+)\): choose a start at :00 or :30$`, "$1 n'est pas sur la grille des demi-heures du mentor ($2) : choisissez un début à l'heure pile ou à la demie"},
	{`^is past (.+)'s booking horizon: a series is booked within the next (\d+) days$`, "dépasse l'horizon de réservation de $1 : une série se réserve dans les $2 prochains jours"},
	// Sessions and mentors.
	{`^(.+) is no longer mentoring and offers no sessions$`, "$1 n'accompagne plus personne et ne propose aucune séance"},
	{`^this session has started and stays with its mentor$`, "cette séance a commencé et reste avec son mentor"},
	{`^no mentor (.+)$`, "mentor $1 introuvable"},
	{`^no mentee (.+)$`, "mentoré $1 introuvable"},
	{`^(.+)'s mentorship has ended$`, "l'accompagnement de $1 est terminé"},
	{`^must be confirmed or cancelled$`, "doit être confirmed ou cancelled"},
	{`^a mentor can only add mentees to themselves$`, "un mentor ne peut ajouter des mentorés qu'à lui-même"},
	{`^(".*") is not a weekday \(monday … sunday\)$`, "$1 n'est pas un jour de la semaine (monday … sunday)"},
	{`^cannot be (-?\d+): the mentor follows (\d+) active mentees; end or reassign some first$`, "ne peut être $1 : le mentor suit $2 mentorés actifs ; terminez ou réattribuez-en d'abord"},
	{`^(.+) is paused and takes no new mentees for now$`, "$1 est en pause et ne prend pas de nouveau mentoré pour le moment"},
	{`^(.+) is no longer mentoring$`, "$1 n'accompagne plus personne"},
	{`^(.+) is already an active mentee of (.+)$`, "$1 est déjà mentoré par $2"},
	{`^(.+) already has a mentor; end that mentorship or reassign them instead$`, "$1 a déjà un mentor ; terminez cet accompagnement ou réattribuez-le plutôt"},
	{`^(.+) already has (\d+) mentors, as many as one person may have$`, "$1 a déjà $2 mentors, le maximum pour une personne"},
	{`^a mentor with the address (.+) already exists \(addresses are compared without case\)$`, "un mentor a déjà l'adresse $1 (les adresses sont comparées sans tenir compte des majuscules)"},
	{`^(".*") is not a mentor status \(active, paused, inactive\)$`, "$1 n'est pas un statut de mentor (active, paused, inactive)"},
	{`^only programme staff make a mentor inactive or active again$`, "seule l'équipe du programme rend un mentor inactif ou de nouveau actif"},
	{`^this mentorship has ended; add the mentee again instead$`, "cet accompagnement est terminé ; ajoutez plutôt le mentoré de nouveau"},
	{`^must be a multiple of 15 between 15 and 240, got (-?\d+)$`, "doit être un multiple de 15 entre 15 et 240 (et non $1)"},
	{`^(".*") is not a video provider \(jitsi, bbb, google_meet, template, none\)$`, "$1 n'est pas un service de visioconférence (jitsi, bbb, google_meet, template, none)"},
	// The console's lists.
	{`^load must be one of (.+)$`, "load doit valoir l'une de ces valeurs : $1"},
	{`^is not a mentor id$`, "n'est pas un identifiant de mentor"},
	{`^a search is at most 200 characters$`, "une recherche fait au plus 200 caractères"},
	// Calendars.
	{`^no event calendar was found at this URL$`, "aucun agenda d'événements n'a été trouvé à cette adresse"},
	{`^Google calendars are connected through /connections/google/start$`, "les agendas Google se connectent par /connections/google/start"},
	{`^must be "caldav" or "ics"$`, `doit être "caldav" ou "ics"`},
	{`^a published calendar address takes no username or password$`, "une adresse d'agenda publié ne prend ni identifiant ni mot de passe"},
	{`^must be an https:// or webcal:// address of a published calendar \(\.ics\)$`, "doit être une adresse https:// ou webcal:// d'agenda publié (.ics)"},
	{`^must be an http\(s\) URL of a CalDAV server, principal, calendar home or calendar$`, "doit être une adresse http(s) de serveur CalDAV, de compte, de dossier d'agendas ou d'agenda"},
	{`^must not contain credentials; use username and password$`, "ne doit pas contenir d'identifiants ; utilisez les champs identifiant et mot de passe"},
	{`^must use https: the password would travel in clear text$`, "doit utiliser https : le mot de passe circulerait en clair"},
	{`^calendar too large: the account has (\d+) calendars, and at most (\d+) can be connected at once; (.+)$`, "agenda trop volumineux : le compte a $1 agendas, et $2 au plus peuvent être connectés à la fois ; $3"},
	{`^the server gave a calendar address of (\d+) bytes, which is not one Rendezvous can use$`, "le serveur a donné une adresse d'agenda de $1 octets, que Rendezvous ne peut pas utiliser"},
	{`^calendar (".*") is read-only and cannot receive sessions$`, "l'agenda $1 est en lecture seule et ne peut pas recevoir de séances"},
	{`^calendar not found$`, "agenda introuvable"},
	{`^the calendar server rejected the username or password$`, "le serveur d'agenda a refusé l'identifiant ou le mot de passe"},
	{`^the calendar (?:URL|address) resolves to a private or local address, which this server does not allow$`, "l'adresse de l'agenda mène à une adresse privée ou locale, ce que ce serveur n'autorise pas"},
	{`^the URL answers, but it is not a CalDAV server \(nor a principal, calendar home or calendar on one\): (.+)$`, "l'adresse répond, mais ce n'est pas un serveur CalDAV (ni un compte, un dossier d'agendas ou un agenda sur un tel serveur) : $1"},
	{`^Google Calendar is not configured on this server$`, "Google Agenda n'est pas configuré sur ce serveur"},
	{`^Google Calendar access was not granted, so nothing was connected; start again and choose Allow to connect it$`, "l'accès à Google Agenda n'a pas été accordé, donc rien n'a été connecté ; recommencez et choisissez Autoriser pour le connecter"},
	{`^Google refused the connection \((.+)\); start again$`, "Google a refusé la connexion ($1) ; recommencez"},
	{`^is missing from Google's answer$`, "manque dans la réponse de Google"},
	{`^this Google sign-in is unknown; start connecting Google Calendar again$`, "cette connexion Google est inconnue ; recommencez la connexion de Google Agenda"},
	{`^this Google sign-in was already used; start connecting Google Calendar again$`, "cette connexion Google a déjà servi ; recommencez la connexion de Google Agenda"},
	{`^this Google sign-in expired \(it lasts 10 minutes\); start connecting Google Calendar again$`, "cette connexion Google a expiré (elle dure 10 minutes) ; recommencez la connexion de Google Agenda"},
	{`^this Google account has no calendar Rendezvous can read$`, "ce compte Google n'a aucun agenda que Rendezvous puisse lire"},
	{`^Rendezvous needs to read your calendar list and manage events, with offline access; start again and allow every permission asked$`, "Rendezvous doit lire la liste de vos agendas et gérer des événements, avec un accès hors ligne ; recommencez et accordez chaque autorisation demandée"},
	{`^Google refused the sign-in code \(expired or already used\); start connecting Google Calendar again$`, "Google a refusé le code de connexion (expiré ou déjà utilisé) ; recommencez la connexion de Google Agenda"},
	{`^Google refused access to the calendars; start connecting Google Calendar again$`, "Google a refusé l'accès aux agendas ; recommencez la connexion de Google Agenda"},
	{`^Google Calendar could not be reached or failed: (.+)$`, "Google Agenda est injoignable ou en panne : $1"},
	{`^the calendar address could not be read: (.+)$`, "l'adresse de l'agenda n'a pas pu être lue : $1"},
	{`^(.+) not found$`, "$1 introuvable"},
	// Sign-in and staff.
	{`^too many sign-in links were asked for this address; try again in (\d+) minutes$`, "trop de liens de connexion ont été demandés pour cette adresse ; réessayez dans $1 minutes"},
	{`^invalid token$`, "jeton non valide"},
	{`^the admin token is not a staff member$`, "le jeton d'administration n'est pas un membre de l'équipe"},
	// Statements.
	{`^(".*") is not a month like 2026-11$`, "$1 n'est pas un mois comme 2026-11"},
	{`^a mentor reads their own statement only$`, "un mentor ne lit que son propre relevé"},
	{`^statements are for staff and mentors$`, "les relevés sont réservés à l'équipe et aux mentors"},
	{`^(\S+) is not over in every time zone yet; it can be closed from (.+) UTC$`, "$1 n'est pas encore fini dans tous les fuseaux horaires ; il pourra être clos à partir de $2 UTC"},
	{`^(\S+) is already closed$`, "$1 est déjà clos"},
	// Requests (the API's, and forms').
	{`^missing bearer token$`, "jeton d'accès manquant"},
	{`^is not a valid JSON object: (.+)$`, "n'est pas un objet JSON valide : $1"},
	{`^is not valid UTF-8$`, "n'est pas du texte valide (UTF-8)"},
	{`^a JSON object is required$`, "un objet JSON est obligatoire"},
	{`^has the wrong type \(want (.+)\)$`, "n'a pas le bon type (attendu : $1)"},
	{`^is not valid JSON: (.+)$`, "n'est pas du JSON valide : $1"},
	{`^holds more than one JSON value$`, "contient plus d'une valeur JSON"},
	{`^(".*") is not an integer$`, "$1 n'est pas un nombre entier"},
	{`^(.+) must be a whole number$`, "$1 doit être un nombre entier"},
	{`^must be a whole number$`, "doit être un nombre entier"},
	{`^(".*") is not a date and time$`, "$1 n'est pas une date et une heure"},
	{`^cannot identify the client address$`, "impossible d'identifier l'adresse du client"},
	{`^(\S+) must be true or false$`, "$1 doit être true ou false"},
	{`^must be between (\d+) and (\d+) sessions \(got 0\); leave it out for one session$`, "doit être entre $1 et $2 séances (et non 0) ; omettez-le pour une seule séance"},
	{`^is only for a series \(with count\)$`, "ne sert qu'à une série (avec count)"},
	// The import of mentees.
	{`^the file is empty; its first line must be (.+)$`, "le fichier est vide ; sa première ligne doit être $1"},
	{`^the first line is not CSV: (.+)$`, "la première ligne n'est pas du CSV : $1"},
	{`^unknown column (".*"): the columns are (.+)$`, "colonne $1 inconnue : les colonnes sont $2"},
	{`^the column (".*") is missing: the first line must be (.+)$`, "la colonne $1 manque : la première ligne doit être $2"},
	// Access.
	{`^(.+) needs a staff member or the admin token$`, "$1 demande un membre de l'équipe ou le jeton d'administration"},
	{`^(.+) needs an admin$`, "$1 demande un administrateur"},
	{`^you cannot act for that mentor$`, "vous ne pouvez pas agir pour ce mentor"},
	// Sessions, feeds, video.
	{`^must be this or following$`, "doit être this ou following"},
	{`^no such feed$`, "flux introuvable"},
	{`^no such meeting, or the session was cancelled$`, "réunion introuvable, ou la séance a été annulée"},
	{`^no such meeting$`, "réunion introuvable"},
	{`^this session's video link is not ready yet; try again in a moment$`, "le lien vidéo de cette séance n'est pas encore prêt ; réessayez dans un instant"},
	{`^the video server could not open the meeting; try again in a moment$`, "le serveur vidéo n'a pas pu ouvrir la réunion ; réessayez dans un instant"},
	{`^no such mentee$`, "mentoré introuvable"},
	{`^is in the past$`, "est dans le passé"},
	{`^choose a number of sessions$`, "choisissez un nombre de séances"},
	{`^(.+) is no longer an active mentee of (.+)$`, "$1 n'est plus mentoré par $2"},
	// Webhooks.
	{`^must be pending, delivered or failed$`, "doit être pending, delivered ou failed"},
	{`^must be between 1 and (\d+)$`, "doit être entre 1 et $1"},
	{`^is not a cursor of this listing$`, "n'est pas un curseur de cette liste"},
	{`^no such webhook endpoint$`, "point de réception de webhooks introuvable"},
	{`^is longer than (\d+) characters$`, "dépasse $1 caractères"},
	{`^must be an absolute http:// or https:// URL$`, "doit être une adresse complète en http:// ou https://"},
	{`^must not have a #fragment$`, "ne doit pas avoir de #fragment"},
	{`^(.+) is a private or reserved address; endpoints there need RENDEZVOUS_ALLOW_PRIVATE_HOSTS=true$`, "$1 est une adresse privée ou réservée ; y envoyer des webhooks demande RENDEZVOUS_ALLOW_PRIVATE_HOSTS=true"},
	{`^must name at least one event$`, "doit nommer au moins un événement"},
	{`^(".*") is not an event; the events are (.+)$`, "$1 n'est pas un événement ; les événements sont $2"},
}

func init() {
	for _, p := range moreFrenchPatterns {
		frenchPatterns = append(frenchPatterns, struct {
			re *regexp.Regexp
			fr string
		}{regexp.MustCompile(p.en), p.fr})
	}
}
